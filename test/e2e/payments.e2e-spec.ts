import {
  type Account,
  actingAs,
  addMember,
  createCustomer,
  createInvoice,
  createPayment,
  eventsOf,
  expectProblem,
  getInvoice,
  type InvoiceBody,
  openInvoice,
  type PaymentBody,
  paymentRowsOf,
  refundPayment,
  signUpOwner,
} from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** What every invoice made by createInvoice costs: 2 × 50.00. */
const TOTAL = 10_000;

describe('payments', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp();
  });
  afterAll(() => sut.close());

  const as = (account: Account) => actingAs(sut.http, account);
  const open = (account: Account, fields: Record<string, unknown> = {}) =>
    openInvoice(sut.http, account, fields);
  const pay = (account: Account, invoiceId: string, amount: number, fields: Record<string, unknown> = {}) =>
    createPayment(sut.http, account, invoiceId, amount, fields);
  const fetchInvoice = (account: Account, id: string) => getInvoice(sut.http, account, id);
  const paymentBody = (invoiceId: string, fields: Record<string, unknown> = {}) => ({
    invoiceId,
    amount: 1000,
    method: 'card',
    ...fields,
  });

  /** Everything a refused payment must leave as it was: the invoice, its payments, the organization's events. */
  async function stateOf(account: Account, invoiceId: string) {
    return {
      invoice: await fetchInvoice(account, invoiceId),
      payments: await paymentRowsOf(sut.db, invoiceId),
      events: await eventsOf(sut.db, account.organizationId),
    };
  }

  /** Asserts `value` is an ISO timestamp taken between `since` and now. */
  function expectTakenSince(value: string | null, since: number): void {
    expect(value).toMatch(ISO_UTC);
    expect(Date.parse(value!)).toBeGreaterThanOrEqual(since);
    expect(Date.parse(value!)).toBeLessThanOrEqual(Date.now());
  }

  describe('POST /v1/payments', () => {
    it('records a partial payment: 201 succeeded, the invoice summary after it, the invoice stays open', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await open(owner);
      const since = Date.now();

      const response = await as(owner).post('/v1/payments', {
        invoiceId: invoice.id,
        amount: 4000,
        method: 'bank_transfer',
        reference: 'Wire #8812',
      });

      expect(response.status).toBe(201);
      const payment: PaymentBody = response.body;
      expect(payment).toEqual({
        id: expect.stringMatching(UUID),
        invoiceId: invoice.id,
        customerId: invoice.customerId,
        amount: 4000,
        amountRefunded: 0,
        currency: invoice.currency,
        status: 'succeeded',
        method: 'bank_transfer',
        reference: 'Wire #8812',
        paidAt: expect.stringMatching(ISO_UTC),
        provider: null,
        providerPaymentId: null,
        failureMessage: null,
        refunds: [],
        invoice: {
          id: invoice.id,
          number: invoice.number,
          status: 'open',
          total: TOTAL,
          amountPaid: 4000,
          amountDue: 6000,
        },
        createdAt: expect.stringMatching(ISO_UTC),
        updatedAt: expect.stringMatching(ISO_UTC),
      });
      expectTakenSince(payment.paidAt, since);

      const after = await fetchInvoice(owner, invoice.id);
      expect(after).toMatchObject({
        status: 'open',
        amountPaid: 4000,
        amountDue: 6000,
        statusTransitions: { ...invoice.statusTransitions, paidAt: null },
      });
      const events = await eventsOf(sut.db, owner.organizationId);
      expect(events.slice(-1)).toEqual([
        { type: 'payment.succeeded', organizationId: owner.organizationId, data: payment },
      ]);
      expect(events.map((event) => event.type)).not.toContain('invoice.paid');
    });

    it('settles the invoice when the rest is paid: paid, paidAt, payment.succeeded then invoice.paid', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await open(owner);
      await pay(owner, invoice.id, 4000);
      const eventsBefore = await eventsOf(sut.db, owner.organizationId);
      const since = Date.now();

      const payment = await pay(owner, invoice.id, 6000);

      expect(payment.invoice).toEqual({
        id: invoice.id,
        number: invoice.number,
        status: 'paid',
        total: TOTAL,
        amountPaid: TOTAL,
        amountDue: 0,
      });
      const paid = await fetchInvoice(owner, invoice.id);
      expect(paid).toEqual({
        ...invoice,
        status: 'paid',
        amountPaid: TOTAL,
        amountDue: 0,
        allowedActions: ['send'],
        statusTransitions: { ...invoice.statusTransitions, paidAt: payment.paidAt },
        updatedAt: expect.stringMatching(ISO_UTC),
      });
      expectTakenSince(paid.statusTransitions.paidAt, since);
      expect(await eventsOf(sut.db, owner.organizationId)).toEqual([
        ...eventsBefore,
        { type: 'payment.succeeded', organizationId: owner.organizationId, data: payment },
        { type: 'invoice.paid', organizationId: owner.organizationId, data: paid },
      ]);
    });

    it('settles in one payment of the whole amount', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await open(owner);

      const payment = await pay(owner, invoice.id, TOTAL);

      expect(payment.invoice).toMatchObject({ status: 'paid', amountPaid: TOTAL, amountDue: 0 });
      expect((await fetchInvoice(owner, invoice.id)).status).toBe('paid');
    });

    it('takes payments on an uncollectible invoice, which stays uncollectible until settled, then paid', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await open(owner);
      await as(owner).post(`/v1/invoices/${invoice.id}/mark-uncollectible`).expect(200);

      const first = await pay(owner, invoice.id, 2500);
      expect(first.invoice).toMatchObject({ status: 'uncollectible', amountPaid: 2500, amountDue: 7500 });
      expect((await fetchInvoice(owner, invoice.id)).allowedActions).toEqual(['send', 'pay']);

      const rest = await pay(owner, invoice.id, 7500);
      expect(rest.invoice).toMatchObject({ status: 'paid', amountPaid: TOTAL, amountDue: 0 });
      const paid = await fetchInvoice(owner, invoice.id);
      expect(paid.statusTransitions).toEqual({
        finalizedAt: invoice.statusTransitions.finalizedAt,
        paidAt: rest.paidAt,
        voidedAt: null,
        markedUncollectibleAt: expect.stringMatching(ISO_UTC),
      });
      const types = (await eventsOf(sut.db, owner.organizationId)).map((event) => event.type);
      expect(types.slice(-3)).toEqual(['payment.succeeded', 'payment.succeeded', 'invoice.paid']);
    });

    it('keeps a paidAt in the past as given, and settles the invoice as of then', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await open(owner);

      const payment = await pay(owner, invoice.id, TOTAL, { paidAt: '2026-01-15T09:30:00Z' });

      expect(payment.paidAt).toBe('2026-01-15T09:30:00.000Z');
      expect(await as(owner).get(`/v1/payments/${payment.id}`).expect(200)).toHaveProperty(
        'body.paidAt',
        '2026-01-15T09:30:00.000Z',
      );
      expect((await fetchInvoice(owner, invoice.id)).statusTransitions.paidAt).toBe(
        '2026-01-15T09:30:00.000Z',
      );
    });

    it.each<[string, number]>([
      ['more than the total', TOTAL + 5000],
      ['one minor unit more than is due', TOTAL + 1],
    ])('refuses %s with 422 overpayment, writing nothing', async (_label, amount) => {
      const owner = await signUpOwner(sut.http);
      const invoice = await open(owner);
      const before = await stateOf(owner, invoice.id);

      expectProblem(
        await as(owner).post('/v1/payments', paymentBody(invoice.id, { amount })),
        422,
        'overpayment',
      );
      expect(await stateOf(owner, invoice.id)).toEqual(before);
    });

    it('refuses one minor unit more than is left after a partial payment with 422 overpayment', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await open(owner);
      await pay(owner, invoice.id, 3000);
      const before = await stateOf(owner, invoice.id);

      const response = await as(owner).post('/v1/payments', paymentBody(invoice.id, { amount: 7001 }));

      expectProblem(response, 422, 'overpayment');
      expect(await stateOf(owner, invoice.id)).toEqual(before);
      expect(before.invoice).toMatchObject({ status: 'open', amountPaid: 3000, amountDue: 7000 });
    });

    type Unpayable = 'draft' | 'paid' | 'void';
    const unpayable: Record<Unpayable, (owner: Account) => Promise<InvoiceBody>> = {
      draft: (owner) => createInvoice(sut.http, owner),
      paid: async (owner) => {
        const invoice = await open(owner);
        await pay(owner, invoice.id, TOTAL);
        return invoice;
      },
      void: async (owner) => {
        const invoice = await open(owner);
        await as(owner).post(`/v1/invoices/${invoice.id}/void`).expect(200);
        return invoice;
      },
    };

    it.each<[Unpayable, number, string]>([
      ['draft', 409, 'cannot_pay_invoice'],
      ['void', 409, 'cannot_pay_invoice'],
      // Nothing is due on a paid invoice: any payment overpays (as the loser of a race finds).
      ['paid', 422, 'overpayment'],
    ])('refuses a payment on a %s invoice with %i %s, writing nothing', async (state, status, code) => {
      const owner = await signUpOwner(sut.http);
      const invoice = await unpayable[state](owner);
      const before = await stateOf(owner, invoice.id);
      expect(before.invoice.status).toBe(state);

      const response = await as(owner).post('/v1/payments', paymentBody(invoice.id, { amount: 1 }));

      expectProblem(response, status, code);
      expect(await stateOf(owner, invoice.id)).toEqual(before);
    });

    it.each<[string, Record<string, unknown>, string]>([
      ['amount 0', { amount: 0 }, 'amount'],
      ['a negative amount', { amount: -500 }, 'amount'],
      ['a fractional amount', { amount: 10.5 }, 'amount'],
      ['an amount given as a string', { amount: '1000' }, 'amount'],
      ['amount 1e300', { amount: 1e300 }, 'amount'],
      ['no amount', { amount: undefined }, 'amount'],
      ['an unknown method', { method: 'bitcoin' }, 'method'],
      ['no method', { method: undefined }, 'method'],
      ['no invoiceId', { invoiceId: undefined }, 'invoiceId'],
      ['an invoiceId that is not a UUID', { invoiceId: 'INV-000001' }, 'invoiceId'],
      ['an unknown field', { currency: 'EUR' }, 'currency'],
      ['an empty reference', { reference: '' }, 'reference'],
      ['a paidAt that is not a timestamp', { paidAt: 'yesterday' }, 'paidAt'],
    ])(
      'refuses %s with 400 validation_failed naming the field, writing nothing',
      async (_label, fields, field) => {
        const owner = await signUpOwner(sut.http);
        const invoice = await open(owner);
        const before = await stateOf(owner, invoice.id);

        const response = await as(owner).post('/v1/payments', paymentBody(invoice.id, fields));

        expectProblem(response, 400, 'validation_failed');
        expect(response.body.errors).toEqual(
          expect.arrayContaining([{ field, message: expect.any(String) }]),
        );
        expect(await stateOf(owner, invoice.id)).toEqual(before);
      },
    );

    it('refuses a paidAt in the future with 400 validation_failed on paidAt, writing nothing', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await open(owner);
      const before = await stateOf(owner, invoice.id);
      const inAnHour = new Date(Date.now() + 3_600_000).toISOString();

      const response = await as(owner).post('/v1/payments', paymentBody(invoice.id, { paidAt: inAnHour }));

      expectProblem(response, 400, 'validation_failed');
      expect(response.body.errors).toEqual([{ field: 'paidAt', message: expect.any(String) }]);
      expect(await stateOf(owner, invoice.id)).toEqual(before);
    });

    it("answers 404 invoice_not_found for another organization's invoice and writes nothing there", async () => {
      const owner = await signUpOwner(sut.http);
      const stranger = await signUpOwner(sut.http, 'Initech');
      const invoice = await open(owner);
      const before = await stateOf(owner, invoice.id);
      const strangerEvents = await eventsOf(sut.db, stranger.organizationId);

      const response = await as(stranger).post('/v1/payments', paymentBody(invoice.id));

      expectProblem(response, 404, 'invoice_not_found');
      expect(await stateOf(owner, invoice.id)).toEqual(before);
      expect(await eventsOf(sut.db, stranger.organizationId)).toEqual(strangerEvents);
    });

    it('answers 404 invoice_not_found for an invoice that does not exist', async () => {
      const owner = await signUpOwner(sut.http);
      const response = await as(owner).post(
        '/v1/payments',
        paymentBody('0190d1a4-0000-7000-8000-000000000000'),
      );
      expectProblem(response, 404, 'invoice_not_found');
    });

    it('refuses a viewer with 403 insufficient_role, writing nothing', async () => {
      const owner = await signUpOwner(sut.http);
      const viewer = await addMember(sut.http, owner, 'viewer');
      const invoice = await open(owner);
      const before = await stateOf(owner, invoice.id);

      expectProblem(await as(viewer).post('/v1/payments', paymentBody(invoice.id)), 403, 'insufficient_role');
      expect(await stateOf(owner, invoice.id)).toEqual(before);
    });

    it('lets a member record a payment', async () => {
      const owner = await signUpOwner(sut.http);
      const member = await addMember(sut.http, owner, 'member');
      const invoice = await open(owner);

      const payment = await pay(member, invoice.id, 1000);

      expect(payment.invoice).toMatchObject({ amountPaid: 1000, amountDue: TOTAL - 1000 });
    });

    it('refuses a request without a token with 401', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await open(owner);
      expectProblem(await sut.http.post('/v1/payments').send(paymentBody(invoice.id)), 401, 'unauthorized');
    });
  });

  describe('allowedActions after payments', () => {
    it("is ['send'] on a paid invoice", async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await open(owner);
      await pay(owner, invoice.id, TOTAL);
      expect((await fetchInvoice(owner, invoice.id)).allowedActions).toEqual(['send']);
    });

    it('has no void on a partly paid open invoice, and voiding it is refused', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await open(owner);
      await pay(owner, invoice.id, 1);

      const partlyPaid = await fetchInvoice(owner, invoice.id);

      expect(partlyPaid.allowedActions).toEqual(['send', 'pay', 'mark_uncollectible']);
      expectProblem(await as(owner).post(`/v1/invoices/${invoice.id}/void`), 409, 'cannot_void_invoice');
      expect(await fetchInvoice(owner, invoice.id)).toEqual(partlyPaid);
    });
  });

  describe('GET /v1/payments/:id', () => {
    it('answers the payment as it was recorded, to a viewer too', async () => {
      const owner = await signUpOwner(sut.http);
      const viewer = await addMember(sut.http, owner, 'viewer');
      const invoice = await open(owner);
      const payment = await pay(owner, invoice.id, 2000, { method: 'cash' });

      const response = await as(viewer).get(`/v1/payments/${payment.id}`);

      expect(response.status).toBe(200);
      expect(response.body).toEqual(payment);
    });

    it('shows the invoice summary as it stands now, not as it was at payment time', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await open(owner);
      const first = await pay(owner, invoice.id, 2000);
      await pay(owner, invoice.id, 8000);

      const { body } = await as(owner).get(`/v1/payments/${first.id}`).expect(200);

      expect(body).toEqual({
        ...first,
        invoice: { ...first.invoice, status: 'paid', amountPaid: TOTAL, amountDue: 0 },
      });
    });

    it("answers 404 payment_not_found for another organization's payment", async () => {
      const owner = await signUpOwner(sut.http);
      const stranger = await signUpOwner(sut.http, 'Initech');
      const payment = await pay(owner, (await open(owner)).id, 1000);

      expectProblem(await as(stranger).get(`/v1/payments/${payment.id}`), 404, 'payment_not_found');
    });

    it('answers 404 payment_not_found for an id that does not exist', async () => {
      const owner = await signUpOwner(sut.http);
      expectProblem(
        await as(owner).get('/v1/payments/0190d1a4-0000-7000-8000-000000000000'),
        404,
        'payment_not_found',
      );
    });

    it('answers 400 validation_failed for an id that is not a UUID', async () => {
      const owner = await signUpOwner(sut.http);
      const response = await as(owner).get('/v1/payments/pay_123');
      expectProblem(response, 400, 'validation_failed');
      expect(response.body.errors).toEqual([{ field: 'id', message: expect.any(String) }]);
    });
  });

  describe('GET /v1/payments', () => {
    const ids = (page: { data: PaymentBody[] }) => page.data.map((payment) => payment.id);
    const newestFirst = (...payments: PaymentBody[]) => payments.map((payment) => payment.id).reverse();
    const list = async (account: Account, query = '') =>
      (await as(account).get(`/v1/payments${query}`).expect(200)).body as {
        data: PaymentBody[];
        nextCursor: string | null;
      };

    /** Two customers; A has invoices a1 (two payments, one refunded) and a2, B has b1. */
    async function ledger() {
      const owner = await signUpOwner(sut.http);
      const customerA = await createCustomer(sut.http, owner, { name: 'Alpha' });
      const customerB = await createCustomer(sut.http, owner, { name: 'Beta' });
      const a1 = await open(owner, { customerId: customerA.id });
      const a2 = await open(owner, { customerId: customerA.id });
      const b1 = await open(owner, { customerId: customerB.id });
      const p1 = await pay(owner, a1.id, 1000);
      const p2 = await pay(owner, a1.id, 2000);
      const p3 = await pay(owner, a2.id, 3000);
      const p4 = await pay(owner, b1.id, 4000);
      const refundedP2 = await refundPayment(sut.http, owner, p2.id);
      return { owner, customerA, customerB, a1, a2, b1, p1, p2: refundedP2, p3, p4 };
    }

    it('lists the organization’s payments newest first, each as GET answers it', async () => {
      const { owner, p1, p2, p3, p4 } = await ledger();
      const stranger = await signUpOwner(sut.http, 'Initech');
      await pay(stranger, (await open(stranger)).id, 1);

      const page = await list(owner);

      expect({ ids: ids(page), nextCursor: page.nextCursor }).toEqual({
        ids: newestFirst(p1, p2, p3, p4),
        nextCursor: null,
      });
      for (const payment of page.data) {
        expect((await as(owner).get(`/v1/payments/${payment.id}`).expect(200)).body).toEqual(payment);
      }
    });

    it('filters by invoiceId, customerId and status, alone and together', async () => {
      const { owner, customerA, customerB, a1, a2, p1, p2, p3, p4 } = await ledger();

      expect(ids(await list(owner, `?invoiceId=${a1.id}`))).toEqual(newestFirst(p1, p2));
      expect(ids(await list(owner, `?invoiceId=${a2.id}`))).toEqual(newestFirst(p3));
      expect(ids(await list(owner, `?customerId=${customerA.id}`))).toEqual(newestFirst(p1, p2, p3));
      expect(ids(await list(owner, `?customerId=${customerB.id}`))).toEqual(newestFirst(p4));
      expect(ids(await list(owner, '?status=refunded'))).toEqual(newestFirst(p2));
      expect(ids(await list(owner, '?status=succeeded'))).toEqual(newestFirst(p1, p3, p4));
      expect(ids(await list(owner, '?status=partially_refunded'))).toEqual([]);
      expect(ids(await list(owner, `?invoiceId=${a1.id}&status=succeeded`))).toEqual(newestFirst(p1));
      expect(ids(await list(owner, `?customerId=${customerB.id}&invoiceId=${a1.id}`))).toEqual([]);
    });

    it("never shows another organization's payments, even filtered by its invoice", async () => {
      const { a1 } = await ledger();
      const stranger = await signUpOwner(sut.http, 'Initech');

      expect(await list(stranger)).toEqual({ data: [], nextCursor: null });
      expect(await list(stranger, `?invoiceId=${a1.id}`)).toEqual({ data: [], nextCursor: null });
    });

    it('pages with an opaque cursor: no duplicates, no gaps, the last page says so', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await open(owner);
      const payments: PaymentBody[] = [];
      for (let i = 0; i < 7; i += 1) payments.push(await pay(owner, invoice.id, 100 + i));

      const seen: string[] = [];
      const pageSizes: number[] = [];
      let cursor: string | null = null;
      do {
        const query: string = `?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const page = await list(owner, query);
        pageSizes.push(page.data.length);
        seen.push(...ids(page));
        cursor = page.nextCursor;
      } while (cursor !== null && pageSizes.length < 10);

      expect(pageSizes).toEqual([3, 3, 1]);
      expect(seen).toEqual(newestFirst(...payments));
      expect(ids(await list(owner, '?limit=100'))).toEqual(seen);
    });

    it('answers an exact last page with nextCursor null', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await open(owner);
      const first = await pay(owner, invoice.id, 100);
      const second = await pay(owner, invoice.id, 200);

      const page = await list(owner, '?limit=2');

      expect({ ids: ids(page), nextCursor: page.nextCursor }).toEqual({
        ids: newestFirst(first, second),
        nextCursor: null,
      });
    });

    it.each<[string, string, string]>([
      ['a cursor this API did not make', '?cursor=bm90LWEtY3Vyc29y', 'invalid_cursor'],
      ['an unknown status', '?status=settled', 'validation_failed'],
      ['an invoiceId that is not a UUID', '?invoiceId=INV-000001', 'validation_failed'],
      ['a customerId that is not a UUID', '?customerId=42', 'validation_failed'],
      ['limit 0', '?limit=0', 'validation_failed'],
      ['limit 101', '?limit=101', 'validation_failed'],
      ['an unknown filter', '?method=card', 'validation_failed'],
    ])('refuses %s (%s) with 400 %s', async (_label, query, code) => {
      const owner = await signUpOwner(sut.http);
      expectProblem(await as(owner).get(`/v1/payments${query}`), 400, code);
    });
  });
});
