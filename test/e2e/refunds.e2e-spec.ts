import {
  type Account,
  actingAs,
  addMember,
  createPayment,
  eventsOf,
  expectProblem,
  getInvoice,
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

describe('POST /v1/payments/:id/refunds', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp();
  });
  afterAll(() => sut.close());

  const as = (account: Account) => actingAs(sut.http, account);
  const refund = (account: Account, paymentId: string, body: Record<string, unknown> = {}) =>
    as(account).post(`/v1/payments/${paymentId}/refunds`, body);
  const refunded = (account: Account, paymentId: string, body: Record<string, unknown> = {}) =>
    refundPayment(sut.http, account, paymentId, body);
  const fetchPayment = async (account: Account, id: string): Promise<PaymentBody> =>
    (await as(account).get(`/v1/payments/${id}`).expect(200)).body;
  const fetchInvoice = (account: Account, id: string) => getInvoice(sut.http, account, id);

  /** A new organization with an invoice of TOTAL and one payment of `amount` on it (the whole total: paid). */
  async function paymentOf(amount = TOTAL) {
    const owner = await signUpOwner(sut.http);
    const invoice = await openInvoice(sut.http, owner);
    const payment = await createPayment(sut.http, owner, invoice.id, amount);
    return { owner, invoice, payment };
  }

  /** Everything a refused refund must leave as it was. */
  async function stateOf(account: Account, payment: PaymentBody) {
    return {
      payment: await fetchPayment(account, payment.id),
      invoice: await fetchInvoice(account, payment.invoiceId),
      payments: await paymentRowsOf(sut.db, payment.invoiceId),
      events: await eventsOf(sut.db, account.organizationId),
    };
  }

  it('refunds everything by default: refunded, amountRefunded = amount, the refund listed, the invoice reopened', async () => {
    const { owner, invoice, payment } = await paymentOf();

    const response = await refund(owner, payment.id, {});

    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      ...payment,
      status: 'refunded',
      amountRefunded: TOTAL,
      refunds: [
        {
          id: expect.stringMatching(UUID),
          amount: TOTAL,
          reason: null,
          createdAt: expect.stringMatching(ISO_UTC),
        },
      ],
      invoice: { ...payment.invoice, status: 'open', amountPaid: 0, amountDue: TOTAL },
      updatedAt: expect.stringMatching(ISO_UTC),
    });
    expect(await fetchPayment(owner, payment.id)).toEqual(response.body);
    expect(await fetchInvoice(owner, invoice.id)).toMatchObject({
      status: 'open',
      amountPaid: 0,
      amountDue: TOTAL,
      allowedActions: ['send', 'pay', 'void', 'mark_uncollectible'],
      statusTransitions: { paidAt: null },
    });
  });

  it('refunds everything when the request has no body at all', async () => {
    const { owner, payment } = await paymentOf();

    const response = await sut.http
      .post(`/v1/payments/${payment.id}/refunds`)
      .set('Authorization', owner.bearer);

    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      status: 'refunded',
      amountRefunded: TOTAL,
      refunds: [{ amount: TOTAL }],
    });
  });

  it('refunds part, then the rest: partially_refunded, then refunded, both refunds listed oldest first', async () => {
    const { owner, payment } = await paymentOf();

    const part = await refunded(owner, payment.id, { amount: 3000, reason: 'Damaged goods' });

    expect(part).toMatchObject({
      status: 'partially_refunded',
      amountRefunded: 3000,
      refunds: [{ amount: 3000, reason: 'Damaged goods' }],
      invoice: { status: 'open', amountPaid: 7000, amountDue: 3000 },
    });

    const rest = await refunded(owner, payment.id);

    expect(rest).toEqual({
      ...part,
      status: 'refunded',
      amountRefunded: TOTAL,
      refunds: [
        part.refunds[0],
        { id: expect.stringMatching(UUID), amount: 7000, reason: null, createdAt: expect.any(String) },
      ],
      invoice: { ...part.invoice, amountPaid: 0, amountDue: TOTAL },
      updatedAt: expect.stringMatching(ISO_UTC),
    });
    expect(rest.refunds[1].id > rest.refunds[0].id).toBe(true);
  });

  it('refunds a partial payment on an open invoice, which stays open with more due', async () => {
    const { owner, invoice, payment } = await paymentOf(4000);

    const answer = await refunded(owner, payment.id, { amount: 1500 });

    expect(answer.invoice).toEqual({ ...payment.invoice, status: 'open', amountPaid: 2500, amountDue: 7500 });
    expect(await fetchInvoice(owner, invoice.id)).toMatchObject({
      status: 'open',
      amountPaid: 2500,
      amountDue: 7500,
    });
  });

  it('reopens a paid invoice: open, paidAt cleared, amountDue back, and writes payment.refunded carrying the answer', async () => {
    const { owner, invoice, payment } = await paymentOf();
    const paid = await fetchInvoice(owner, invoice.id);
    expect(paid.status).toBe('paid');
    const events = await eventsOf(sut.db, owner.organizationId);

    const answer = await refunded(owner, payment.id, { amount: 2500 });

    expect(await fetchInvoice(owner, invoice.id)).toEqual({
      ...paid,
      status: 'open',
      amountPaid: 7500,
      amountDue: 2500,
      allowedActions: ['send', 'pay', 'mark_uncollectible'],
      statusTransitions: { ...paid.statusTransitions, paidAt: null },
      updatedAt: expect.stringMatching(ISO_UTC),
    });
    expect(await eventsOf(sut.db, owner.organizationId)).toEqual([
      ...events,
      { type: 'payment.refunded', organizationId: owner.organizationId, data: answer },
    ]);
  });

  it('lets the reopened invoice be paid again, settling it anew with invoice.paid', async () => {
    const { owner, invoice, payment } = await paymentOf();
    await refunded(owner, payment.id, { amount: 2500 });

    const again = await createPayment(sut.http, owner, invoice.id, 2500, { paidAt: '2026-03-01T12:00:00Z' });

    expect(again.invoice).toMatchObject({ status: 'paid', amountPaid: TOTAL, amountDue: 0 });
    const settled = await fetchInvoice(owner, invoice.id);
    expect(settled).toMatchObject({
      status: 'paid',
      statusTransitions: { paidAt: '2026-03-01T12:00:00.000Z' },
    });
    const types = (await eventsOf(sut.db, owner.organizationId)).map((event) => event.type);
    expect(types.filter((type) => type === 'invoice.paid')).toHaveLength(2);
    expect(types.slice(-3)).toEqual(['payment.refunded', 'payment.succeeded', 'invoice.paid']);
  });

  it('keeps void refused while money is kept, and allows it once everything is refunded', async () => {
    const { owner, invoice, payment } = await paymentOf();
    await refunded(owner, payment.id, { amount: 9999 });

    expectProblem(await as(owner).post(`/v1/invoices/${invoice.id}/void`), 409, 'cannot_void_invoice');

    await refunded(owner, payment.id);
    const voided = (await as(owner).post(`/v1/invoices/${invoice.id}/void`).expect(200)).body;

    expect(voided).toMatchObject({ status: 'void', amountPaid: 0, amountDue: TOTAL, allowedActions: [] });
    expect((await fetchPayment(owner, payment.id)).invoice.status).toBe('void');
  });

  it.each<[string, number, number]>([
    ['one minor unit more than the payment', 0, TOTAL + 1],
    ['one minor unit more than is left after a partial refund', 3000, 7001],
  ])('refuses %s with 422 refund_exceeds_payment, writing nothing', async (_label, refundedFirst, amount) => {
    const { owner, payment } = await paymentOf();
    if (refundedFirst > 0) await refunded(owner, payment.id, { amount: refundedFirst });
    const before = await stateOf(owner, payment);

    expectProblem(await refund(owner, payment.id, { amount }), 422, 'refund_exceeds_payment');
    expect(await stateOf(owner, payment)).toEqual(before);
  });

  it('refuses a refund of a fully refunded payment with 409 payment_not_refundable, writing nothing', async () => {
    const { owner, payment } = await paymentOf();
    const gone = await refunded(owner, payment.id);
    const before = await stateOf(owner, payment);

    expectProblem(await refund(owner, payment.id, {}), 409, 'payment_not_refundable');
    expectProblem(await refund(owner, payment.id, { amount: 1 }), 409, 'payment_not_refundable');
    expect(await stateOf(owner, payment)).toEqual(before);
    expect(before.payment).toEqual(gone);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['amount 0', { amount: 0 }, 'amount'],
    ['a negative amount', { amount: -100 }, 'amount'],
    ['a fractional amount', { amount: 12.5 }, 'amount'],
    ['an amount given as a string', { amount: '100' }, 'amount'],
    ['an empty reason', { reason: '' }, 'reason'],
    ['an unknown field', { currency: 'USD' }, 'currency'],
  ])(
    'refuses %s with 400 validation_failed naming the field, writing nothing',
    async (_label, body, field) => {
      const { owner, payment } = await paymentOf();
      const before = await stateOf(owner, payment);

      const response = await refund(owner, payment.id, body);

      expectProblem(response, 400, 'validation_failed');
      expect(response.body.errors).toEqual(expect.arrayContaining([{ field, message: expect.any(String) }]));
      expect(await stateOf(owner, payment)).toEqual(before);
    },
  );

  it("answers 404 payment_not_found for another organization's payment and refunds nothing", async () => {
    const { owner, payment } = await paymentOf();
    const stranger = await signUpOwner(sut.http, 'Initech');
    const before = await stateOf(owner, payment);

    expectProblem(await refund(stranger, payment.id, {}), 404, 'payment_not_found');
    expect(await stateOf(owner, payment)).toEqual(before);
  });

  it('answers 404 payment_not_found for an id that does not exist, 400 for one that is not a UUID', async () => {
    const owner = await signUpOwner(sut.http);
    expectProblem(await refund(owner, '0190d1a4-0000-7000-8000-000000000000', {}), 404, 'payment_not_found');
    expectProblem(await refund(owner, 'pay_123', {}), 400, 'validation_failed');
  });

  it.each(['member', 'viewer'] as const)(
    'refuses a %s with 403 insufficient_role, refunding nothing',
    async (role) => {
      const { owner, payment } = await paymentOf();
      const user = await addMember(sut.http, owner, role);
      const before = await stateOf(owner, payment);

      expectProblem(await refund(user, payment.id, {}), 403, 'insufficient_role');
      expect(await stateOf(owner, payment)).toEqual(before);
    },
  );

  it('lets an admin refund', async () => {
    const { owner, payment } = await paymentOf();
    const admin = await addMember(sut.http, owner, 'admin');

    expect(await refunded(admin, payment.id, { amount: 100 })).toMatchObject({
      status: 'partially_refunded',
      amountRefunded: 100,
    });
  });
});
