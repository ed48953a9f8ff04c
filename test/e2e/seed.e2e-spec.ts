import { INVOICE_STATUSES } from '../../src/invoices/invoice-status.js';
import { seed, type SeedResult } from '../../src/seed/seed-demo.js';
import { formatSeedReport } from '../../src/seed/seed-report.js';
import { migrateTestDatabase } from '../support/database.js';
import { testConfig } from '../support/environment.js';
import type { InvoiceBody, PaymentBody } from '../support/factories.js';
import { randomIp, startTestApp, type TestApp } from '../support/test-app.js';

// Nothing listens there: deliveries would fail fast, and the api-role apps here do not deliver anyway.
const WEBHOOK_URL = 'http://127.0.0.1:9/webhooks';

describe('npm run seed (seed())', () => {
  let sut: TestApp;
  let first: SeedResult;
  let second: SeedResult;

  beforeAll(async () => {
    await migrateTestDatabase();
    first = await seed(testConfig(), { webhookUrl: WEBHOOK_URL });
    second = await seed(testConfig(), { webhookUrl: WEBHOOK_URL });
    sut = await startTestApp({ APP_ROLE: 'api' });
  }, 120_000);
  afterAll(() => sut.close());

  /** Logs in with the printed credentials, as a person following the report would. */
  async function loggedIn(result: SeedResult) {
    const response = await sut.http
      .post('/v1/auth/login')
      .set('X-Forwarded-For', randomIp())
      .send({ email: result.owner.email, password: result.owner.password })
      .expect(200);
    const bearer = `Bearer ${response.body.accessToken}`;
    return (path: string) => sut.http.get(path).set('Authorization', bearer).expect(200);
  }

  it('creates a new organization each run, with its own owner, and says so', () => {
    expect(second.organization.id).not.toEqual(first.organization.id);
    expect(second.owner.email).not.toEqual(first.owner.email);
    for (const result of [first, second]) {
      expect(result.owner.email).toMatch(/^owner\+[a-z0-9]{6}@demo\.invoicing\.test$/);
      expect(result.owner.password.length).toBeGreaterThanOrEqual(20);
    }
  });

  it('leaves invoices in every status, an overdue and a partially paid one, with sent ones', async () => {
    const get = await loggedIn(first);

    for (const status of INVOICE_STATUSES) {
      const count = (await get(`/v1/invoices?status=${status}&limit=100`)).body.data.length;
      // The status in the subject, so a failure names it.
      expect({ status, some: count > 0 }).toEqual({ status, some: true });
      expect({ status, count }).toEqual({ status, count: first.invoices.byStatus[status] });
    }
    const overdue: InvoiceBody[] = (await get('/v1/invoices?overdue=true&limit=100')).body.data;
    expect(overdue.length).toBeGreaterThan(0);
    expect(overdue[0].dueDate! < new Date().toISOString().slice(0, 10)).toBe(true);

    const all: InvoiceBody[] = (await get('/v1/invoices?limit=100')).body.data;
    const partlyPaid = all.filter((invoice) => invoice.amountPaid > 0 && invoice.amountDue > 0);
    expect(partlyPaid.map((invoice) => invoice.status)).toEqual(['open']);
    expect(all.filter((invoice) => invoice.sentAt !== null).length).toBeGreaterThan(0);
    expect(new Set(all.map((invoice) => invoice.currency)).size).toBeGreaterThanOrEqual(5);
    expect(first.invoices).toMatchObject({ total: all.length, overdue: overdue.length, partiallyPaid: 1 });
  });

  it('records payments that paid invoices in full, and a refunded one', async () => {
    const get = await loggedIn(first);

    const payments: PaymentBody[] = (await get('/v1/payments?limit=100')).body.data;
    const refunded = payments.filter((payment) => payment.status === 'refunded');
    expect(refunded).toHaveLength(1);
    expect(refunded[0].refunds).toHaveLength(1);
    expect(refunded[0].invoice.status).toBe('void');
    const paid: InvoiceBody[] = (await get('/v1/invoices?status=paid&limit=100')).body.data;
    for (const invoice of paid) expect(invoice).toMatchObject({ amountPaid: invoice.total, amountDue: 0 });
  });

  it('fills the seller profile and adds customers, members of each role and one webhook endpoint', async () => {
    const get = await loggedIn(first);

    expect((await get('/v1/organization')).body).toMatchObject({
      legalName: expect.any(String),
      email: expect.any(String),
      taxId: expect.any(String),
      address: { line1: expect.any(String), city: expect.any(String), country: expect.any(String) },
    });
    expect((await get('/v1/customers?limit=100')).body.data).toHaveLength(first.customers);
    expect(first.customers).toBeGreaterThanOrEqual(8);
    const members: { role: string }[] = (await get('/v1/members?limit=100')).body.data;
    expect(members.map((member) => member.role).sort()).toEqual(['admin', 'member', 'owner', 'viewer']);
    const endpoints = (await get('/v1/webhook-endpoints')).body.data;
    expect(endpoints).toEqual([expect.objectContaining({ id: first.webhookEndpoint.id, url: WEBHOOK_URL })]);
    expect(first.webhookEndpoint).toMatchObject({
      secret: expect.stringMatching(/^whsec_/),
      privateUrl: true,
    });
  });

  it('keeps each run’s data in its own organization', async () => {
    const get = await loggedIn(second);

    expect((await get('/v1/invoices?limit=100')).body.data).toHaveLength(second.invoices.total);
    expect((await get('/v1/webhook-endpoints')).body.data).toHaveLength(1);
  });

  it('prints the base URL, the credentials, curl commands, the counts and the webhook secret', () => {
    const report = formatSeedReport(first);

    expect(report).toContain(first.apiBaseUrl);
    expect(report).toContain(first.owner.email);
    expect(report).toContain(first.owner.password);
    expect(report).toContain(`curl -s -X POST ${first.apiBaseUrl}/v1/auth/login`);
    expect(report).toContain(`${first.apiBaseUrl}/v1/invoices`);
    expect(report).toMatch(/uncollectible\s+1/);
    expect(report).toContain(first.webhookEndpoint.secret);
    expect(report).toContain('WEBHOOK_ALLOW_PRIVATE_URLS=true');
  });
});
