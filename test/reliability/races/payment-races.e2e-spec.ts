import type { DatabaseError } from 'pg';
import {
  createPayment,
  eventsAbout,
  expectProblem,
  getInvoice,
  openInvoice,
  paymentRowsOf,
  signUpOwner,
} from '../../support/factories.js';
import { all, outcomes, RaceKit, type RaceOrganization, rowsWith, times } from './race-kit.js';

/** What every invoice made by createInvoice costs: 2 × 50.00. */
const TOTAL = 10_000;

/** The rows of an organization with one issued invoice, after `payments` and `refunds`, and the events they wrote. */
const oneInvoice = (payments: number, refunds: number, events: Record<string, number>) =>
  rowsWith({
    customers: 1,
    invoices: 1,
    payments,
    refunds,
    events: { 'customer.created': 1, 'invoice.created': 1, 'invoice.finalized': 1, ...events },
  });

/**
 * Payments, refunds and voids racing on one invoice through the API: exactly the requests that fit win, the rows
 * are exactly what the answers say, and each race ends with the organization's ledger clean.
 */
describe('payments under concurrency', () => {
  const kit = new RaceKit();
  let sut: RaceKit['sut'];

  beforeAll(async () => {
    sut = (await kit.start()).sut;
  });
  afterAll(() => kit.close('payment races'));

  const payRequest = (org: RaceOrganization, invoiceId: string, amount: number) => () =>
    org.as.post('/v1/payments', { invoiceId, amount, method: 'card' });

  /** Sum of the payments that hold money on the invoice, as stored. */
  async function kept(invoiceId: string): Promise<number> {
    const rows = await paymentRowsOf(sut.db, invoiceId);
    return rows.reduce((sum, row) => sum + row.amount - row.amountRefunded, 0);
  }

  it('lets exactly one of 10 concurrent full payments through; the invoice is paid once', async () => {
    const org = await kit.organization();
    const invoice = await openInvoice(sut.http, org.owner);

    const responses = await all(times(10, () => payRequest(org, invoice.id, TOTAL)));

    // The losers find the invoice paid once they get its lock: nothing is due, so each would overpay.
    expect(outcomes(responses)).toEqual({ '201': 1, '422 overpayment': 9 });
    const settled = await getInvoice(sut.http, org.owner, invoice.id);
    expect(settled).toMatchObject({ status: 'paid', amountPaid: TOTAL, amountDue: 0 });
    expect((await eventsAbout(sut.db, invoice.id)).filter((event) => event.type === 'invoice.paid')).toEqual([
      { type: 'invoice.paid', organizationId: org.owner.organizationId, data: settled },
    ]);
    expect(await org.rows()).toEqual(oneInvoice(1, 0, { 'payment.succeeded': 1, 'invoice.paid': 1 }));
    expect(await org.ledger()).toEqual([]);
  });

  it('lets through exactly as many of 20 concurrent partial payments as fit, never more than the total', async () => {
    const org = await kit.organization();
    const invoice = await openInvoice(sut.http, org.owner);
    const amount = 700; // 14 × 700 = 9800 fit in 10000; the 200 left is less than a 15th.

    const responses = await all(times(20, () => payRequest(org, invoice.id, amount)));

    expect(outcomes(responses)).toEqual({ '201': 14, '422 overpayment': 6 });
    const succeeded = responses.filter((response) => response.status === 201);
    expect(succeeded.map((response) => response.body.invoice.amountPaid).sort((a, b) => a - b)).toEqual(
      times(14, (i) => (i + 1) * amount),
    );
    expect(await kept(invoice.id)).toBe(14 * amount);
    expect(await getInvoice(sut.http, org.owner, invoice.id)).toMatchObject({
      status: 'open',
      amountPaid: 14 * amount,
      amountDue: TOTAL - 14 * amount,
    });
    expect(await org.rows()).toEqual(oneInvoice(14, 0, { 'payment.succeeded': 14 }));
    expect(await org.ledger()).toEqual([]);
  });

  it('settles an invoice exactly once when 20 concurrent partial payments add up to more than the total', async () => {
    const org = await kit.organization();
    const invoice = await openInvoice(sut.http, org.owner);

    const responses = await all(times(20, () => payRequest(org, invoice.id, 1000)));

    // Once the tenth is in, the invoice is paid: nothing is due, so each later one would overpay.
    expect(outcomes(responses)).toEqual({ '201': 10, '422 overpayment': 10 });
    expect(await kept(invoice.id)).toBe(TOTAL);
    expect(await getInvoice(sut.http, org.owner, invoice.id)).toMatchObject({
      status: 'paid',
      amountPaid: TOTAL,
    });
    expect(await org.rows()).toEqual(oneInvoice(10, 0, { 'payment.succeeded': 10, 'invoice.paid': 1 }));
    expect(await org.ledger()).toEqual([]);
  });

  it('lets through only the concurrent refunds of one payment that fit in it', async () => {
    const org = await kit.organization();
    const invoice = await openInvoice(sut.http, org.owner);
    const payment = await createPayment(sut.http, org.owner, invoice.id, TOTAL);

    const responses = await all(
      times(5, () => () => org.as.post(`/v1/payments/${payment.id}/refunds`, { amount: 3000 })),
    );

    expect(outcomes(responses)).toEqual({ '201': 3, '422 refund_exceeds_payment': 2 });
    const after = (await org.as.get(`/v1/payments/${payment.id}`).expect(200)).body;
    expect(after).toMatchObject({ status: 'partially_refunded', amountRefunded: 9000, amount: TOTAL });
    expect(after.refunds.map((refund: { amount: number }) => refund.amount)).toEqual([3000, 3000, 3000]);
    expect(after.invoice).toMatchObject({ status: 'open', amountPaid: 1000, amountDue: 9000 });
    expect(await org.rows()).toEqual(
      oneInvoice(1, 3, { 'payment.succeeded': 1, 'invoice.paid': 1, 'payment.refunded': 3 }),
    );
    expect(await org.ledger()).toEqual([]);
  });

  it('lets exactly one of concurrent full refunds of one payment through', async () => {
    const org = await kit.organization();
    const invoice = await openInvoice(sut.http, org.owner);
    const payment = await createPayment(sut.http, org.owner, invoice.id, 6000);

    const responses = await all(times(6, () => () => org.as.post(`/v1/payments/${payment.id}/refunds`, {})));

    expect(outcomes(responses)).toEqual({ '201': 1, '409 payment_not_refundable': 5 });
    expect(await paymentRowsOf(sut.db, invoice.id)).toEqual([
      { id: payment.id, amount: 6000, amountRefunded: 6000, status: 'refunded' },
    ]);
    expect(await getInvoice(sut.http, org.owner, invoice.id)).toMatchObject({
      amountPaid: 0,
      amountDue: TOTAL,
    });
    expect(await org.rows()).toEqual(oneInvoice(1, 1, { 'payment.succeeded': 1, 'payment.refunded': 1 }));
    expect(await org.ledger()).toEqual([]);
  });

  it('keeps payments and refunds at once on one invoice to what fits: the rows are what the answers say', async () => {
    const org = await kit.organization();
    const invoice = await openInvoice(sut.http, org.owner);
    const first = await createPayment(sut.http, org.owner, invoice.id, 6000);

    // 4000 is due: at least one 3000 fits at once, and each 2000 refunded makes room for more.
    const responses = await all([
      ...times(4, () => payRequest(org, invoice.id, 3000)),
      ...times(3, () => () => org.as.post(`/v1/payments/${first.id}/refunds`, { amount: 2000 })),
    ]);

    const [payments, refunds] = [responses.slice(0, 4), responses.slice(4)];
    const paid = payments.filter((response) => response.status === 201).length;
    expect(outcomes(refunds)).toEqual({ '201': 3 });
    expect(outcomes(payments)).toEqual({ '201': paid, ...(paid < 4 && { '422 overpayment': 4 - paid }) });
    expect(paid).toBeGreaterThanOrEqual(1);
    expect(await getInvoice(sut.http, org.owner, invoice.id)).toMatchObject({
      amountPaid: paid * 3000,
      amountDue: TOTAL - paid * 3000,
    });
    // Between a payment and a refund the invoice may have been paid in full for a moment, and reopened: each
    // such moment wrote one invoice.paid, and only a payment can bring it about.
    const { events, ...rows } = await org.rows();
    const { 'invoice.paid': paidMoments = 0, ...otherEvents } = events;
    expect({ ...rows, events: otherEvents }).toEqual(
      oneInvoice(1 + paid, 3, { 'payment.succeeded': 1 + paid, 'payment.refunded': 3 }),
    );
    expect(paidMoments).toBeLessThanOrEqual(paid);
    expect(await org.ledger()).toEqual([]);
  });

  it('keeps a payment racing a void consistent: one wins, the other is refused', async () => {
    const org = await kit.organization();
    const invoices = await Promise.all(times(6, () => openInvoice(sut.http, org.owner)));

    const races = await Promise.all(
      invoices.map(async (invoice) => {
        const [payment, voiding] = await Promise.all([
          org.as.post('/v1/payments', { invoiceId: invoice.id, amount: 4000, method: 'cash' }),
          org.as.post(`/v1/invoices/${invoice.id}/void`),
        ]);
        return { invoice, payment, voiding };
      }),
    );

    for (const { invoice, payment, voiding } of races) {
      const after = await getInvoice(sut.http, org.owner, invoice.id);
      const rows = await paymentRowsOf(sut.db, invoice.id);
      if (payment.status === 201) {
        expectProblem(voiding, 409, 'cannot_void_invoice');
        expect(after).toMatchObject({ status: 'open', amountPaid: 4000, amountDue: 6000 });
        expect(rows).toEqual([{ id: payment.body.id, amount: 4000, amountRefunded: 0, status: 'succeeded' }]);
      } else {
        expectProblem(payment, 409, 'cannot_pay_invoice');
        expect(voiding.status).toBe(200);
        expect(after).toMatchObject({ status: 'void', amountPaid: 0, amountDue: TOTAL });
        expect(rows).toEqual([]);
      }
    }
    const paid = races.filter((race) => race.payment.status === 201).length;
    expect(await org.rows()).toEqual(
      rowsWith({
        customers: 6,
        invoices: 6,
        payments: paid,
        events: {
          'customer.created': 6,
          'invoice.created': 6,
          'invoice.finalized': 6,
          'payment.succeeded': paid,
          'invoice.voided': 6 - paid,
        },
      }),
    );
    expect(await org.ledger()).toEqual([]);
  });

  describe('the database, the last line behind the locks', () => {
    /** Runs `sql` through the direct connection and answers the error Postgres raised, if any. */
    async function refusal(
      sql: string,
      params: unknown[],
    ): Promise<Pick<DatabaseError, 'code' | 'table'> | null> {
      try {
        await sut.db.query(sql, params);
        return null;
      } catch (error) {
        const { code, table } = error as DatabaseError;
        return { code, table };
      }
    }
    const CHECK_VIOLATION = { code: '23514', table: expect.any(String) };

    it('refuses amount_paid above the total with its CHECK constraint, whatever amount_due says', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await openInvoice(sut.http, owner);

      expect(
        await refusal('UPDATE invoices SET amount_paid = total + 1 WHERE id = $1', [invoice.id]),
      ).toEqual({ ...CHECK_VIOLATION, table: 'invoices' });
      expect(
        await refusal('UPDATE invoices SET amount_paid = total + 1, amount_due = -1 WHERE id = $1', [
          invoice.id,
        ]),
      ).toEqual({ ...CHECK_VIOLATION, table: 'invoices' });
      expect(
        await refusal('UPDATE invoices SET amount_paid = total, amount_due = 0 WHERE id = $1 RETURNING id', [
          invoice.id,
        ]),
      ).toBeNull(); // the constraint itself lets a consistent balance through
      await sut.db.query('UPDATE invoices SET amount_paid = 0, amount_due = total WHERE id = $1', [
        invoice.id,
      ]);
    });

    it('refuses a payment refunded beyond its amount, and a refund of nothing', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await openInvoice(sut.http, owner);
      const payment = await createPayment(sut.http, owner, invoice.id, 5000);

      expect(
        await refusal('UPDATE payments SET amount_refunded = amount + 1 WHERE id = $1', [payment.id]),
      ).toEqual({ ...CHECK_VIOLATION, table: 'payments' });
      expect(
        await refusal(
          `INSERT INTO refunds (id, organization_id, payment_id, amount) VALUES (gen_random_uuid(), $1, $2, 0)`,
          [owner.organizationId, payment.id],
        ),
      ).toEqual({ ...CHECK_VIOLATION, table: 'refunds' });
      expect(await paymentRowsOf(sut.db, invoice.id)).toEqual([
        { id: payment.id, amount: 5000, amountRefunded: 0, status: 'succeeded' },
      ]);
    });
  });
});
