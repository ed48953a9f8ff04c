import type { Test } from 'supertest';
import {
  type Account,
  actingAs,
  createCustomer,
  createInvoice,
  eventsAbout,
  expectProblem,
  finalizeInvoice,
  getInvoice,
  type InvoiceBody,
  signUpOwner,
} from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const todayUtc = () => new Date().toISOString().slice(0, 10);
const addDays = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

type State = 'draft' | 'open' | 'uncollectible' | 'void';
type Action = 'update' | 'finalize' | 'send' | 'void' | 'mark_uncollectible' | 'delete';
type Client = ReturnType<typeof actingAs>;

/** How each action is called, what it answers when allowed, and the 409 code naming it when not. */
const ACTIONS: Record<
  Action,
  { call: (client: Client, id: string) => Test; ok: number; event: string; refused: string }
> = {
  update: {
    call: (client, id) => client.patch(`/v1/invoices/${id}`, { notes: 'Edited' }),
    ok: 200,
    event: 'invoice.updated',
    refused: 'cannot_update_invoice',
  },
  finalize: {
    call: (client, id) => client.post(`/v1/invoices/${id}/finalize`),
    ok: 200,
    event: 'invoice.finalized',
    refused: 'cannot_finalize_invoice',
  },
  send: {
    call: (client, id) => client.post(`/v1/invoices/${id}/send`),
    ok: 200,
    event: 'invoice.sent',
    refused: 'cannot_send_invoice',
  },
  void: {
    call: (client, id) => client.post(`/v1/invoices/${id}/void`),
    ok: 200,
    event: 'invoice.voided',
    refused: 'cannot_void_invoice',
  },
  mark_uncollectible: {
    call: (client, id) => client.post(`/v1/invoices/${id}/mark-uncollectible`),
    ok: 200,
    event: 'invoice.marked_uncollectible',
    refused: 'cannot_mark_uncollectible_invoice',
  },
  delete: {
    call: (client, id) => client.delete(`/v1/invoices/${id}`),
    ok: 204,
    event: 'invoice.deleted',
    refused: 'cannot_delete_invoice',
  },
};

/** What DESIGN.md allows from each state, in the order allowedActions lists them. */
const ALLOWED: Record<State, Action[]> = {
  draft: ['update', 'finalize', 'delete'],
  open: ['send', 'void', 'mark_uncollectible'],
  uncollectible: ['send', 'void'],
  void: [],
};

/** The status an allowed action leaves the invoice in. */
const STATUS_AFTER: Record<Exclude<Action, 'delete'>, (from: State) => State> = {
  update: () => 'draft',
  finalize: () => 'open',
  send: (from) => from,
  void: () => 'void',
  mark_uncollectible: () => 'uncollectible',
};

/** allowedActions as the API lists them: ALLOWED plus `pay`, taken through POST /v1/payments. */
const LISTED: Record<State, string[]> = {
  draft: ['update', 'finalize', 'delete'],
  open: ['send', 'pay', 'void', 'mark_uncollectible'],
  uncollectible: ['send', 'pay', 'void'],
  void: [],
};

const STATES = Object.keys(ALLOWED) as State[];
const PAIRS = STATES.flatMap((state) =>
  (Object.keys(ACTIONS) as Action[]).map((action) => ({ state, action })),
);
const REFUSED = PAIRS.filter(({ state, action }) => !ALLOWED[state].includes(action));
const PERMITTED = PAIRS.filter(({ state, action }) => ALLOWED[state].includes(action));

describe('invoice lifecycle', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp();
  });
  afterAll(() => sut.close());

  const as = (account: Account) => actingAs(sut.http, account);
  const draft = (account: Account, fields: Record<string, unknown> = {}) =>
    createInvoice(sut.http, account, fields);
  const fetchInvoice = (account: Account, id: string) => getInvoice(sut.http, account, id);
  const perform = async (account: Account, id: string, action: Action): Promise<InvoiceBody> =>
    (await ACTIONS[action].call(as(account), id).expect(ACTIONS[action].ok)).body;

  /** A new invoice of the owner's organization brought into `state` the way a client would. */
  async function invoiceIn(owner: Account, state: State, fields: Record<string, unknown> = {}) {
    const invoice = await draft(owner, fields);
    if (state === 'draft') return invoice;
    const open = await finalizeInvoice(sut.http, owner, invoice.id);
    if (state === 'open') return open;
    return perform(owner, invoice.id, state === 'void' ? 'void' : 'mark_uncollectible');
  }

  /** Asserts `value` is an ISO timestamp taken between `since` and now. */
  function expectTakenSince(value: string | null, since: number): void {
    expect(value).toMatch(ISO_UTC);
    expect(Date.parse(value!)).toBeGreaterThanOrEqual(since);
    expect(Date.parse(value!)).toBeLessThanOrEqual(Date.now());
  }

  describe('POST /v1/invoices/:id/finalize', () => {
    it('issues the draft: open, numbered, dated, customer and seller frozen, finalizedAt set', async () => {
      const owner = await signUpOwner(sut.http, 'Acme');
      const customer = await createCustomer(sut.http, owner, { name: 'Globex', taxId: 'US-1' });
      const invoice = await draft(owner, { customerId: customer.id });
      const since = Date.now();

      const issued = await finalizeInvoice(sut.http, owner, invoice.id);

      expect(issued).toEqual({
        ...invoice,
        status: 'open',
        number: 'INV-000001',
        issueDate: todayUtc(),
        dueDate: addDays(todayUtc(), 30),
        customer: { name: 'Globex', email: customer.email, address: null, taxId: 'US-1' },
        seller: { name: 'Acme', legalName: null, email: null, address: null, taxId: null },
        allowedActions: ['send', 'pay', 'void', 'mark_uncollectible'],
        statusTransitions: { ...invoice.statusTransitions, finalizedAt: expect.any(String) },
        pdf: { status: 'pending', sha256: null, generatedAt: null, url: `/v1/invoices/${invoice.id}/pdf` },
        updatedAt: expect.stringMatching(ISO_UTC),
      });
      expectTakenSince(issued.statusTransitions.finalizedAt, since);
      // The worker may have rendered the PDF meanwhile, which moves pdf and updatedAt on.
      expect(await fetchInvoice(owner, invoice.id)).toEqual({
        ...issued,
        pdf: expect.objectContaining({ url: issued.pdf!.url }),
        updatedAt: expect.stringMatching(ISO_UTC),
      });
    });

    it("numbers with the organization's invoiceNumberPrefix", async () => {
      const owner = await signUpOwner(sut.http);
      await as(owner).patch('/v1/organization', { invoiceNumberPrefix: 'ACME/2026-' }).expect(200);

      const issued = await finalizeInvoice(sut.http, owner, (await draft(owner)).id);

      expect(issued.number).toBe('ACME/2026-000001');
    });

    const today = todayUtc();
    it.each<[string, Record<string, unknown>, string, string]>([
      ['nothing set: today, due in 30 days', {}, today, addDays(today, 30)],
      ['daysUntilDue 14', { daysUntilDue: 14 }, today, addDays(today, 14)],
      ['daysUntilDue 0', { daysUntilDue: 0 }, today, today],
      ['an explicit dueDate', { dueDate: '2099-12-31' }, today, '2099-12-31'],
      ['an explicit issueDate', { issueDate: '2026-01-31' }, '2026-01-31', '2026-03-02'],
      [
        'issueDate and daysUntilDue',
        { issueDate: '2026-12-31', daysUntilDue: 1 },
        '2026-12-31',
        '2027-01-01',
      ],
      [
        'issueDate and daysUntilDue in a leap year',
        { issueDate: '2028-02-28', daysUntilDue: 1 },
        '2028-02-28',
        '2028-02-29',
      ],
      [
        'issueDate and dueDate',
        { issueDate: '2026-02-01', dueDate: '2026-02-15' },
        '2026-02-01',
        '2026-02-15',
      ],
      [
        'issueDate and dueDate the same day',
        { issueDate: '2026-02-01', dueDate: '2026-02-01' },
        '2026-02-01',
        '2026-02-01',
      ],
    ])('dates the invoice from %s', async (_label, fields, issueDate, dueDate) => {
      const owner = await signUpOwner(sut.http);
      const issued = await finalizeInvoice(sut.http, owner, (await draft(owner, fields)).id);
      expect({ issueDate: issued.issueDate, dueDate: issued.dueDate }).toEqual({ issueDate, dueDate });
    });

    it.each<[string, Record<string, unknown>]>([
      ['a dueDate before the issueDate', { issueDate: '2026-12-10', dueDate: '2026-12-01' }],
      ['a past dueDate and no issueDate (today)', { dueDate: '2020-01-01' }],
    ])(
      'refuses %s with 422 due_date_before_issue_date; the draft stays as it was',
      async (_label, fields) => {
        const owner = await signUpOwner(sut.http);
        const invoice = await draft(owner, fields);

        expectProblem(
          await as(owner).post(`/v1/invoices/${invoice.id}/finalize`),
          422,
          'due_date_before_issue_date',
        );
        expect(await fetchInvoice(owner, invoice.id)).toEqual(invoice);
      },
    );

    it('refuses a draft without lines with 422 invoice_has_no_lines', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await draft(owner, { lineItems: [] });

      expectProblem(await as(owner).post(`/v1/invoices/${invoice.id}/finalize`), 422, 'invoice_has_no_lines');
      expect(await fetchInvoice(owner, invoice.id)).toEqual(invoice);
    });

    it('issues an invoice with nothing to collect as paid, with invoice.finalized then invoice.paid', async () => {
      const owner = await signUpOwner(sut.http);
      const free = await draft(owner, {
        lineItems: [{ description: 'On the house', quantity: 1, unitAmount: 5000, discountPercent: 100 }],
      });

      const issued = await as(owner).post(`/v1/invoices/${free.id}/finalize`).expect(200);

      expect(issued.body).toMatchObject({ status: 'paid', total: 0, amountDue: 0, allowedActions: ['send'] });
      expect(issued.body.statusTransitions.paidAt).toBe(issued.body.statusTransitions.finalizedAt);
      const events = await eventsAbout(sut.db, free.id);
      expect(events.map((event) => event.type)).toEqual([
        'invoice.created',
        'invoice.finalized',
        'invoice.paid',
      ]);
      expect(events[2].data).toEqual(issued.body);
    });

    it('refuses a draft whose customer was archived since with 422 customer_archived', async () => {
      const owner = await signUpOwner(sut.http);
      const customer = await createCustomer(sut.http, owner);
      const invoice = await draft(owner, { customerId: customer.id });
      await as(owner).post(`/v1/customers/${customer.id}/archive`).expect(200);

      expectProblem(await as(owner).post(`/v1/invoices/${invoice.id}/finalize`), 422, 'customer_archived');
      expect((await fetchInvoice(owner, invoice.id)).status).toBe('draft');
    });

    it('keeps the customer and seller as they were at finalize, while a draft shows the live customer', async () => {
      const owner = await signUpOwner(sut.http, 'Acme');
      const seller = {
        legalName: 'Acme Ltd',
        email: 'billing@acme.test',
        taxId: 'GB-1',
        address: { line1: '1 High St', city: 'London', country: 'GB' },
      };
      await as(owner).patch('/v1/organization', seller).expect(200);
      const customer = await createCustomer(sut.http, owner, {
        name: 'Globex',
        address: { line1: '5 Elm St', city: 'Springfield', country: 'US' },
      });
      const issued = await finalizeInvoice(
        sut.http,
        owner,
        (await draft(owner, { customerId: customer.id })).id,
      );
      const pending = await draft(owner, { customerId: customer.id });

      const renamed = { name: 'Globex Renamed', email: 'new@globex.test', address: null, taxId: 'US-9' };
      await as(owner).patch(`/v1/customers/${customer.id}`, renamed).expect(200);
      await as(owner)
        .patch('/v1/organization', { name: 'Acme Holdings', legalName: 'Acme Holdings plc' })
        .expect(200);

      expect(issued).toMatchObject({
        customer: { name: 'Globex', email: customer.email, address: { line1: '5 Elm St' }, taxId: null },
        seller: { name: 'Acme', ...seller },
      });
      expect(await fetchInvoice(owner, issued.id)).toEqual(issued);
      expect(await fetchInvoice(owner, pending.id)).toMatchObject({ customer: renamed, seller: null });
    });
  });

  describe('POST /v1/invoices/:id/send', () => {
    it.each<State>(['open', 'uncollectible'])(
      'records sentAt on an %s invoice and keeps its status',
      async (state) => {
        const owner = await signUpOwner(sut.http);
        const invoice = await invoiceIn(owner, state);
        const since = Date.now();

        const sent = await perform(owner, invoice.id, 'send');

        expect(sent).toEqual({
          ...invoice,
          sentAt: expect.any(String),
          updatedAt: expect.stringMatching(ISO_UTC),
        });
        expectTakenSince(sent.sentAt, since);
      },
    );

    it('records the latest sentAt when sent again', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await invoiceIn(owner, 'open');
      const first = await perform(owner, invoice.id, 'send');

      const second = await perform(owner, invoice.id, 'send');

      expect(Date.parse(second.sentAt!)).toBeGreaterThanOrEqual(Date.parse(first.sentAt!));
    });
  });

  describe('POST /v1/invoices/:id/void', () => {
    it('voids an open invoice: status void, voidedAt set, nothing left to do', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await invoiceIn(owner, 'open');
      const since = Date.now();

      const voided = await perform(owner, invoice.id, 'void');

      expect(voided).toEqual({
        ...invoice,
        status: 'void',
        allowedActions: [],
        statusTransitions: { ...invoice.statusTransitions, voidedAt: expect.any(String) },
        updatedAt: expect.stringMatching(ISO_UTC),
      });
      expectTakenSince(voided.statusTransitions.voidedAt, since);
    });

    it('voids an uncollectible invoice, keeping when it was marked uncollectible', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await invoiceIn(owner, 'uncollectible');

      const voided = await perform(owner, invoice.id, 'void');

      expect(voided.status).toBe('void');
      expect(voided.statusTransitions).toEqual({
        ...invoice.statusTransitions,
        voidedAt: expect.stringMatching(ISO_UTC),
      });
      expect(invoice.statusTransitions.markedUncollectibleAt).toMatch(ISO_UTC);
    });
  });

  describe('POST /v1/invoices/:id/mark-uncollectible', () => {
    it('marks an open invoice uncollectible: markedUncollectibleAt set, still sendable and voidable', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await invoiceIn(owner, 'open');
      const since = Date.now();

      const marked = await perform(owner, invoice.id, 'mark_uncollectible');

      expect(marked).toEqual({
        ...invoice,
        status: 'uncollectible',
        allowedActions: ['send', 'pay', 'void'],
        statusTransitions: { ...invoice.statusTransitions, markedUncollectibleAt: expect.any(String) },
        updatedAt: expect.stringMatching(ISO_UTC),
      });
      expectTakenSince(marked.statusTransitions.markedUncollectibleAt, since);
      expect(marked.statusTransitions.finalizedAt).toMatch(ISO_UTC);
    });
  });

  describe('every action in every state', () => {
    it.each(STATES)('lists in allowedActions what the %s state allows', async (state) => {
      const owner = await signUpOwner(sut.http);
      const invoice = await invoiceIn(owner, state);
      expect({ status: invoice.status, allowedActions: invoice.allowedActions }).toEqual({
        status: state,
        allowedActions: LISTED[state],
      });
    });

    it.each(REFUSED)(
      'refuses $action from $state with 409 naming it, writing no event',
      async ({ state, action }) => {
        const owner = await signUpOwner(sut.http);
        const invoice = await invoiceIn(owner, state);
        const events = await eventsAbout(sut.db, invoice.id);

        const response = await ACTIONS[action].call(as(owner), invoice.id);

        expectProblem(response, 409, ACTIONS[action].refused);
        expect(await fetchInvoice(owner, invoice.id)).toEqual(invoice);
        expect(await eventsAbout(sut.db, invoice.id)).toEqual(events);
      },
    );

    it.each(PERMITTED)(
      'allows $action from $state, writing exactly one event that carries the answer',
      async ({ state, action }) => {
        const owner = await signUpOwner(sut.http);
        const invoice = await invoiceIn(owner, state);
        const events = await eventsAbout(sut.db, invoice.id);

        const answer = await perform(owner, invoice.id, action);

        const after = action === 'delete' ? invoice : answer;
        expect(await eventsAbout(sut.db, invoice.id)).toEqual([
          ...events,
          { type: ACTIONS[action].event, organizationId: owner.organizationId, data: after },
        ]);
        if (action === 'delete') {
          expectProblem(await as(owner).get(`/v1/invoices/${invoice.id}`), 404, 'invoice_not_found');
        } else {
          expect(answer.status).toBe(STATUS_AFTER[action](state));
          expect(await fetchInvoice(owner, invoice.id)).toEqual(answer);
        }
      },
    );
  });
});
