import {
  type Account,
  actingAs,
  createCustomer,
  createInvoice,
  eventsAbout,
  expectProblem,
  finalizeInvoice,
  signUpOwner,
} from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** INV-000001 … INV-00000n. */
const numbersUpTo = (count: number, prefix = 'INV-') =>
  Array.from({ length: count }, (_, i) => `${prefix}${String(i + 1).padStart(6, '0')}`);

describe('invoice numbering', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp();
  });
  afterAll(() => sut.close());

  const as = (account: Account) => actingAs(sut.http, account);
  const finalize = (account: Account, id: string) => as(account).post(`/v1/invoices/${id}/finalize`);

  /** `count` drafts with one line each, for one customer. */
  async function drafts(
    account: Account,
    count: number,
    fields: Record<string, unknown> = {},
  ): Promise<string[]> {
    const customer = await createCustomer(sut.http, account);
    const ids: string[] = [];
    for (let i = 0; i < count; i++)
      ids.push((await createInvoice(sut.http, account, { customerId: customer.id, ...fields })).id);
    return ids;
  }

  /** The numbers stored for the organization's invoices, in order. */
  async function storedNumbers(organizationId: string): Promise<string[]> {
    const { rows } = await sut.db.query<{ number: string }>(
      `SELECT number FROM invoices WHERE organization_id = $1 AND number IS NOT NULL ORDER BY number`,
      [organizationId],
    );
    return rows.map((row) => row.number);
  }

  it('numbers 30 concurrent finalizes INV-000001 to INV-000030, while another organization counts from 1 on its own', async () => {
    const owner = await signUpOwner(sut.http);
    const other = await signUpOwner(sut.http, 'Other Inc');
    const [mine, theirs] = await Promise.all([drafts(owner, 30), drafts(other, 10)]);

    const [ours, others] = await Promise.all([
      Promise.all(mine.map((id) => finalize(owner, id))),
      Promise.all(theirs.map((id) => finalize(other, id))),
    ]);

    expect(ours.map((response) => response.status)).toEqual(mine.map(() => 200));
    expect(others.map((response) => response.status)).toEqual(theirs.map(() => 200));
    expect(ours.map((response) => response.body.number).sort()).toEqual(numbersUpTo(30));
    expect(others.map((response) => response.body.number).sort()).toEqual(numbersUpTo(10));
    expect(await storedNumbers(owner.organizationId)).toEqual(numbersUpTo(30));
    expect(await storedNumbers(other.organizationId)).toEqual(numbersUpTo(10));
  });

  it('gives the number back when a finalize is refused: the next one leaves no gap', async () => {
    const owner = await signUpOwner(sut.http);
    const [first, second] = await drafts(owner, 2);
    const [empty] = await drafts(owner, 1, { lineItems: [] });
    const [backdated] = await drafts(owner, 1, { issueDate: '2026-12-10', dueDate: '2026-12-01' });
    expect((await finalizeInvoice(sut.http, owner, first)).number).toBe('INV-000001');

    expectProblem(await finalize(owner, empty), 422, 'invoice_has_no_lines');
    expectProblem(await finalize(owner, backdated), 422, 'due_date_before_issue_date');
    expectProblem(await finalize(owner, first), 409, 'cannot_finalize_invoice');

    expect((await finalizeInvoice(sut.http, owner, second)).number).toBe('INV-000002');
  });

  it('keeps the sequence gapless when refused finalizes run among concurrent good ones', async () => {
    const owner = await signUpOwner(sut.http);
    const good = await drafts(owner, 10);
    const empty = await drafts(owner, 5, { lineItems: [] });

    const responses = await Promise.all([...good, ...empty].map((id) => finalize(owner, id)));

    expect(responses.map((response) => response.status)).toEqual([
      ...good.map(() => 200),
      ...empty.map(() => 422),
    ]);
    expect(await storedNumbers(owner.organizationId)).toEqual(numbersUpTo(10));
  });

  it('finalizes one draft sent twice at once exactly once: one 200, one 409', async () => {
    const owner = await signUpOwner(sut.http);
    const [id, next] = await drafts(owner, 2);

    const responses = await Promise.all([finalize(owner, id), finalize(owner, id)]);

    const [refused] = responses.filter((response) => response.status !== 200);
    expect(responses.map((response) => response.status).sort()).toEqual([200, 409]);
    expectProblem(refused, 409, 'cannot_finalize_invoice');
    const finalized = (await eventsAbout(sut.db, id)).filter((event) => event.type === 'invoice.finalized');
    expect(finalized).toHaveLength(1);
    expect((await finalizeInvoice(sut.http, owner, next)).number).toBe('INV-000002');
  });

  it('keeps the sequence when the organization profile is edited during concurrent finalizes', async () => {
    const owner = await signUpOwner(sut.http);
    const ids = await drafts(owner, 20);

    const responses = await Promise.all([
      ...ids.map((id) => finalize(owner, id)),
      ...ids.map((_, i) => as(owner).patch('/v1/organization', { legalName: `Acme ${i} Ltd` })),
    ]);

    expect(responses.map((response) => response.status)).toEqual(responses.map(() => 200));
    expect(await storedNumbers(owner.organizationId)).toEqual(numbersUpTo(20));
    const [next] = await drafts(owner, 1);
    expect((await finalizeInvoice(sut.http, owner, next)).number).toBe('INV-000021');
  });
});
