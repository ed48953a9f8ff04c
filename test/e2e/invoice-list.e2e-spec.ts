import {
  type Account,
  actingAs,
  createCustomer,
  createInvoice,
  expectProblem,
  finalizeInvoice,
  type InvoiceBody,
  signUpOwner,
} from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const MISSING_ID = '0190a3c1-0000-7000-8000-000000000000';

interface Page {
  data: InvoiceBody[];
  nextCursor: string | null;
}

const fieldsOf = (body: { errors?: { field: string }[] }) => (body.errors ?? []).map((error) => error.field);
const idsOf = (invoices: InvoiceBody[]) => invoices.map((invoice) => invoice.id);
/** Newest first: the order a list answers in, for invoices created oldest first. */
const newestFirst = (invoices: InvoiceBody[]) => idsOf(invoices).reverse();

describe('invoice lists', () => {
  let sut: TestApp;
  beforeAll(async () => {
    sut = await startTestApp();
  });
  afterAll(() => sut.close());

  const as = (account: Account) => actingAs(sut.http, account);
  const draft = (account: Account, fields: Record<string, unknown> = {}) =>
    createInvoice(sut.http, account, fields);
  const issue = async (account: Account, fields: Record<string, unknown> = {}) =>
    finalizeInvoice(sut.http, account, (await draft(account, fields)).id);
  const page = async (account: Account, path: string, query: Record<string, unknown> = {}): Promise<Page> =>
    (await as(account).get(path).query(query).expect(200)).body;
  const listIds = async (account: Account, query: Record<string, unknown> = {}) =>
    idsOf((await page(account, '/v1/invoices', query)).data);

  /** Follows nextCursor from the first page until it is null (at most 10 pages). */
  async function walk(account: Account, path: string, query: Record<string, unknown>): Promise<Page[]> {
    const pages: Page[] = [];
    let cursor: string | null = null;
    do {
      pages.push(await page(account, path, cursor ? { ...query, cursor } : query));
      cursor = pages[pages.length - 1].nextCursor;
    } while (cursor !== null && pages.length < 10);
    return pages;
  }

  describe('GET /v1/invoices', () => {
    it('answers an empty page for an organization without invoices', async () => {
      const owner = await signUpOwner(sut.http);
      expect(await page(owner, '/v1/invoices')).toEqual({ data: [], nextCursor: null });
    });

    it('answers each invoice as GET /v1/invoices/:id does', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await issue(owner);
      expect((await page(owner, '/v1/invoices')).data).toEqual([invoice]);
    });

    it('walks 5 invoices newest first in pages of 2, without duplicates or gaps', async () => {
      const owner = await signUpOwner(sut.http);
      const created: InvoiceBody[] = [];
      for (let i = 0; i < 5; i++) created.push(await draft(owner));

      const pages = await walk(owner, '/v1/invoices', { limit: 2 });

      expect(pages.map((p) => p.data.length)).toEqual([2, 2, 1]);
      expect(pages.map((p) => p.nextCursor === null)).toEqual([false, false, true]);
      expect(pages.flatMap((p) => idsOf(p.data))).toEqual(newestFirst(created));
    });

    it('keeps every line of each invoice on a page', async () => {
      const owner = await signUpOwner(sut.http);
      const lines = [1, 2, 3].map((n) => ({ description: `Line ${n}`, quantity: n, unitAmount: 100 }));
      const created = [await draft(owner, { lineItems: lines }), await draft(owner, { lineItems: lines })];

      const pages = await walk(owner, '/v1/invoices', { limit: 1 });

      expect(pages.flatMap((p) => p.data)).toEqual([...created].reverse());
    });

    it('defaults to 20 a page', async () => {
      const owner = await signUpOwner(sut.http);
      const customer = await createCustomer(sut.http, owner);
      for (let i = 0; i < 21; i++) await draft(owner, { customerId: customer.id });

      const first = await page(owner, '/v1/invoices');

      expect(first.data).toHaveLength(20);
      expect(first.nextCursor).not.toBeNull();
    });

    it('shows only the caller organization’s invoices', async () => {
      const owner = await signUpOwner(sut.http);
      const other = await signUpOwner(sut.http, 'Other Inc');
      const mine = await draft(owner);
      await issue(other);
      expect(await listIds(owner)).toEqual([mine.id]);
    });

    it.each(['not-a-cursor', Buffer.from('not-a-uuid').toString('base64url'), '%%%'])(
      'answers 400 invalid_cursor for the cursor %p',
      async (cursor) => {
        const owner = await signUpOwner(sut.http);
        expectProblem(await as(owner).get('/v1/invoices').query({ cursor }), 400, 'invalid_cursor');
      },
    );

    it.each<[string, Record<string, unknown>]>([
      ['status', { status: 'paidd' }],
      ['status', { status: 'OPEN' }],
      ['overdue', { overdue: 'yes' }],
      ['overdue', { overdue: '1' }],
      ['customerId', { customerId: 'nope' }],
      ['issueDateFrom', { issueDateFrom: '2026-13-01' }],
      ['issueDateTo', { issueDateTo: '2026-02-30' }],
      ['dueDateFrom', { dueDateFrom: '0000-01-01' }],
      ['dueDateFrom', { dueDateFrom: '20260101' }],
      ['dueDateTo', { dueDateTo: 'tomorrow' }],
      ['q', { q: 'x'.repeat(201) }],
      ['limit', { limit: 0 }],
      ['limit', { limit: 101 }],
      ['sort', { sort: 'total' }],
    ])('answers 400 validation_failed naming %s for %j', async (field, query) => {
      const owner = await signUpOwner(sut.http);

      const response = await as(owner).get('/v1/invoices').query(query);

      expectProblem(response, 400, 'validation_failed');
      expect(fieldsOf(response.body)).toContain(field);
    });

    it('answers 400 validation_failed, not a 500, for a NUL character in q', async () => {
      const owner = await signUpOwner(sut.http);
      expectProblem(await as(owner).get('/v1/invoices').query({ q: 'a\u0000b' }), 400, 'validation_failed');
    });
  });

  describe('GET /v1/invoices filters', () => {
    it('filters by status', async () => {
      const owner = await signUpOwner(sut.http);
      const pending = await draft(owner);
      const issued = await issue(owner);
      const voided = await issue(owner);
      await as(owner).post(`/v1/invoices/${voided.id}/void`).expect(200);

      expect(await listIds(owner, { status: 'draft' })).toEqual([pending.id]);
      expect(await listIds(owner, { status: 'open' })).toEqual([issued.id]);
      expect(await listIds(owner, { status: 'void' })).toEqual([voided.id]);
      expect(await listIds(owner, { status: 'paid' })).toEqual([]);
    });

    it('pages through a filtered list', async () => {
      const owner = await signUpOwner(sut.http);
      const customer = await createCustomer(sut.http, owner);
      const open: InvoiceBody[] = [];
      for (let i = 0; i < 3; i++) {
        await draft(owner, { customerId: customer.id });
        open.push(await issue(owner, { customerId: customer.id }));
      }

      const pages = await walk(owner, '/v1/invoices', { status: 'open', limit: 2 });

      expect(pages.map((p) => idsOf(p.data))).toEqual([
        newestFirst(open).slice(0, 2),
        newestFirst(open).slice(2),
      ]);
    });

    it('filters by customerId', async () => {
      const owner = await signUpOwner(sut.http);
      const globex = await createCustomer(sut.http, owner);
      const initech = await createCustomer(sut.http, owner);
      const forGlobex = [
        await draft(owner, { customerId: globex.id }),
        await issue(owner, { customerId: globex.id }),
      ];
      await draft(owner, { customerId: initech.id });

      expect(await listIds(owner, { customerId: globex.id })).toEqual(newestFirst(forGlobex));
      expect(await listIds(owner, { customerId: MISSING_ID })).toEqual([]);
    });

    it('matches q against the number and the customer name, case-insensitively', async () => {
      const owner = await signUpOwner(sut.http);
      const globex = await createCustomer(sut.http, owner, { name: 'Globex Corporation' });
      const initech = await createCustomer(sut.http, owner, { name: 'Initech' });
      const first = await issue(owner, { customerId: globex.id });
      const second = await issue(owner, { customerId: initech.id });
      const pending = await draft(owner, { customerId: globex.id });

      expect(await listIds(owner, { q: 'INV-00000' })).toEqual([second.id, first.id]);
      expect(await listIds(owner, { q: 'inv-000002' })).toEqual([second.id]);
      expect(await listIds(owner, { q: 'gLoBeX' })).toEqual([pending.id, first.id]);
      expect(await listIds(owner, { q: 'initech' })).toEqual([second.id]);
      expect(await listIds(owner, { q: 'Umbrella' })).toEqual([]);
    });

    it('treats % and _ in q as literal characters, not wildcards', async () => {
      const owner = await signUpOwner(sut.http);
      const percent = await draft(owner, {
        customerId: (await createCustomer(sut.http, owner, { name: '100% Co' })).id,
      });
      await issue(owner, { customerId: (await createCustomer(sut.http, owner, { name: '1000 Co' })).id });

      expect(await listIds(owner, { q: '%' })).toEqual([percent.id]);
      expect(await listIds(owner, { q: '_' })).toEqual([]);
    });

    describe('date ranges (inclusive)', () => {
      /** Three issued invoices a month apart, and a draft without dates. */
      async function dated(owner: Account) {
        const january = await issue(owner, { issueDate: '2026-01-10', dueDate: '2026-02-10' });
        const february = await issue(owner, { issueDate: '2026-02-15', dueDate: '2026-03-15' });
        const march = await issue(owner, { issueDate: '2026-03-20', dueDate: '2026-04-20' });
        await draft(owner);
        return { january: january.id, february: february.id, march: march.id };
      }

      it('filters by issueDateFrom and issueDateTo', async () => {
        const owner = await signUpOwner(sut.http);
        const { january, february, march } = await dated(owner);

        expect(await listIds(owner, { issueDateFrom: '2026-02-15' })).toEqual([march, february]);
        expect(await listIds(owner, { issueDateTo: '2026-02-15' })).toEqual([february, january]);
        expect(await listIds(owner, { issueDateFrom: '2026-01-11', issueDateTo: '2026-03-19' })).toEqual([
          february,
        ]);
        expect(await listIds(owner, { issueDateFrom: '2026-03-21' })).toEqual([]);
      });

      it('filters by dueDateFrom and dueDateTo', async () => {
        const owner = await signUpOwner(sut.http);
        const { january, february, march } = await dated(owner);

        expect(await listIds(owner, { dueDateFrom: '2026-03-15' })).toEqual([march, february]);
        expect(await listIds(owner, { dueDateTo: '2026-03-15' })).toEqual([february, january]);
        expect(await listIds(owner, { dueDateFrom: '2026-03-15', dueDateTo: '2026-04-19' })).toEqual([
          february,
        ]);
      });

      it('combines an issueDate range with a dueDate range', async () => {
        const owner = await signUpOwner(sut.http);
        const { february } = await dated(owner);

        expect(await listIds(owner, { issueDateFrom: '2026-02-01', dueDateTo: '2026-04-01' })).toEqual([
          february,
        ]);
      });
    });

    describe('overdue (open and past its dueDate)', () => {
      const PAST = { issueDate: '2020-01-01', dueDate: '2020-01-31' };

      /** One invoice of each kind that is or is not overdue. */
      async function mix(owner: Account) {
        const overdue = await issue(owner, PAST);
        const notYetDue = await issue(owner);
        const dueToday = await issue(owner, { daysUntilDue: 0 });
        const pastDueDraft = await draft(owner, PAST);
        const pastDueVoid = await issue(owner, PAST);
        await as(owner).post(`/v1/invoices/${pastDueVoid.id}/void`).expect(200);
        const pastDueUncollectible = await issue(owner, PAST);
        await as(owner).post(`/v1/invoices/${pastDueUncollectible.id}/mark-uncollectible`).expect(200);
        return { overdue, others: [notYetDue, dueToday, pastDueDraft, pastDueVoid, pastDueUncollectible] };
      }

      it('flags only an open invoice past its due date, in the list and on GET', async () => {
        const owner = await signUpOwner(sut.http);
        const { overdue, others } = await mix(owner);

        const flags = Object.fromEntries(
          (await page(owner, '/v1/invoices')).data.map((i) => [i.id, i.overdue]),
        );

        expect(flags).toEqual(Object.fromEntries([[overdue.id, true], ...others.map((i) => [i.id, false])]));
        expect(overdue.overdue).toBe(true);
      });

      it('lists only overdue invoices with overdue=true and every other with overdue=false', async () => {
        const owner = await signUpOwner(sut.http);
        const { overdue, others } = await mix(owner);

        expect(await listIds(owner, { overdue: true })).toEqual([overdue.id]);
        expect(await listIds(owner, { overdue: false })).toEqual(newestFirst(others));
      });
    });
  });

  describe('GET /v1/customers/:id/invoices', () => {
    const customerPath = (customerId: string) => `/v1/customers/${customerId}/invoices`;

    it("lists only that customer's invoices, newest first, with a status filter", async () => {
      const owner = await signUpOwner(sut.http);
      const globex = await createCustomer(sut.http, owner);
      const initech = await createCustomer(sut.http, owner);
      const pending = await draft(owner, { customerId: globex.id });
      await draft(owner, { customerId: initech.id });
      const issued = await issue(owner, { customerId: globex.id });

      expect((await page(owner, customerPath(globex.id))).data).toEqual([issued, pending]);
      expect(idsOf((await page(owner, customerPath(globex.id), { status: 'open' })).data)).toEqual([
        issued.id,
      ]);
    });

    it('answers an empty page for a customer without invoices', async () => {
      const owner = await signUpOwner(sut.http);
      const customer = await createCustomer(sut.http, owner);
      expect(await page(owner, customerPath(customer.id))).toEqual({ data: [], nextCursor: null });
    });

    it('pages with limit and cursor', async () => {
      const owner = await signUpOwner(sut.http);
      const customer = await createCustomer(sut.http, owner);
      const created: InvoiceBody[] = [];
      for (let i = 0; i < 3; i++) created.push(await draft(owner, { customerId: customer.id }));

      const pages = await walk(owner, customerPath(customer.id), { limit: 2 });

      expect(pages.map((p) => idsOf(p.data))).toEqual([
        newestFirst(created).slice(0, 2),
        newestFirst(created).slice(2),
      ]);
    });

    it("answers 404 customer_not_found for another organization's customer", async () => {
      const owner = await signUpOwner(sut.http);
      const other = await signUpOwner(sut.http, 'Other Inc');
      const theirs = await createCustomer(sut.http, other);
      await issue(other, { customerId: theirs.id });

      expectProblem(await as(owner).get(customerPath(theirs.id)), 404, 'customer_not_found');
    });

    it('answers 404 customer_not_found for a customer that does not exist', async () => {
      const owner = await signUpOwner(sut.http);
      expectProblem(await as(owner).get(customerPath(MISSING_ID)), 404, 'customer_not_found');
    });

    it.each<[string, string, Record<string, unknown>]>([
      ['a path id that is not a UUID', '/v1/customers/not-a-uuid/invoices', {}],
      ['a bad status', '', { status: 'paidd' }],
      ['limit 0', '', { limit: 0 }],
    ])('answers 400 validation_failed for %s', async (_label, path, query) => {
      const owner = await signUpOwner(sut.http);
      const customer = await createCustomer(sut.http, owner);
      expectProblem(
        await as(owner)
          .get(path || customerPath(customer.id))
          .query(query),
        400,
        'validation_failed',
      );
    });

    it('answers 400 invalid_cursor for a cursor it did not issue', async () => {
      const owner = await signUpOwner(sut.http);
      const customer = await createCustomer(sut.http, owner);
      const response = await as(owner).get(customerPath(customer.id)).query({ cursor: 'bm90LWEtdXVpZA' });
      expectProblem(response, 400, 'invalid_cursor');
    });
  });
});
