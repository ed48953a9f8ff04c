import type { DatabaseError } from 'pg';
import type { Response } from 'supertest';
import {
  type Account,
  actingAs,
  createPayment,
  eventsAbout,
  eventsOf,
  expectProblem,
  getInvoice,
  openInvoice,
  paymentRowsOf,
  signUpOwner,
} from '../../support/factories.js';
import { startTestApp, type TestApp } from '../../support/test-app.js';

/** What every invoice made by createInvoice costs: 2 × 50.00. */
const TOTAL = 10_000;

/** The answers of concurrent requests, counted by outcome: `201`, `422 overpayment`, … */
function outcomes(responses: Response[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { status, body } of responses) {
    const key = status < 300 ? String(status) : `${status} ${body?.code}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

describe('payments under concurrency', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp();
  });
  afterAll(() => sut.close());

  const as = (account: Account) => actingAs(sut.http, account);
  /** Fires every request at once and waits for all the answers. */
  const all = (requests: (() => PromiseLike<Response>)[]) => Promise.all(requests.map((send) => send()));
  const times = <T>(n: number, make: (i: number) => T) => Array.from({ length: n }, (_, i) => make(i));
  const payRequest = (account: Account, invoiceId: string, amount: number) => () =>
    as(account).post('/v1/payments', { invoiceId, amount, method: 'card' });

  /** Sum of the payments that hold money on the invoice, as stored. */
  async function kept(invoiceId: string): Promise<number> {
    const rows = await paymentRowsOf(sut.db, invoiceId);
    return rows.reduce((sum, row) => sum + row.amount - row.amountRefunded, 0);
  }

  it('lets exactly one of 10 concurrent full payments through; the invoice is paid once', async () => {
    const owner = await signUpOwner(sut.http);
    const invoice = await openInvoice(sut.http, owner);

    const responses = await all(times(10, () => payRequest(owner, invoice.id, TOTAL)));

    // The losers find the invoice paid once they get its lock: nothing is due, so each would overpay.
    expect(outcomes(responses)).toEqual({ '201': 1, '422 overpayment': 9 });
    const settled = await getInvoice(sut.http, owner, invoice.id);
    expect(settled).toMatchObject({ status: 'paid', amountPaid: TOTAL, amountDue: 0 });
    expect(await paymentRowsOf(sut.db, invoice.id)).toHaveLength(1);
    expect((await eventsAbout(sut.db, invoice.id)).filter((event) => event.type === 'invoice.paid')).toEqual([
      { type: 'invoice.paid', organizationId: owner.organizationId, data: settled },
    ]);
  });

  it('lets through exactly as many of 20 concurrent partial payments as fit, never more than the total', async () => {
    const owner = await signUpOwner(sut.http);
    const invoice = await openInvoice(sut.http, owner);
    const amount = 700; // 14 × 700 = 9800 fit in 10000; the 200 left is less than a 15th.

    const responses = await all(times(20, () => payRequest(owner, invoice.id, amount)));

    expect(outcomes(responses)).toEqual({ '201': 14, '422 overpayment': 6 });
    const succeeded = responses.filter((response) => response.status === 201);
    expect(succeeded.map((response) => response.body.invoice.amountPaid).sort((a, b) => a - b)).toEqual(
      times(14, (i) => (i + 1) * amount),
    );
    expect(await kept(invoice.id)).toBe(14 * amount);
    expect(await getInvoice(sut.http, owner, invoice.id)).toMatchObject({
      status: 'open',
      amountPaid: 14 * amount,
      amountDue: TOTAL - 14 * amount,
    });
    const events = await eventsOf(sut.db, owner.organizationId);
    expect(events.filter((event) => event.type === 'payment.succeeded')).toHaveLength(14);
  });

  it('settles an invoice exactly once when 20 concurrent partial payments add up to more than the total', async () => {
    const owner = await signUpOwner(sut.http);
    const invoice = await openInvoice(sut.http, owner);

    const responses = await all(times(20, () => payRequest(owner, invoice.id, 1000)));

    const counts = outcomes(responses);
    expect(counts['201']).toBe(10);
    // Once the tenth is in, the invoice is paid: nothing is due, so each later one would overpay.
    expect(counts['422 overpayment']).toBe(10);
    expect(await kept(invoice.id)).toBe(TOTAL);
    expect(await getInvoice(sut.http, owner, invoice.id)).toMatchObject({
      status: 'paid',
      amountPaid: TOTAL,
    });
    expect(
      (await eventsAbout(sut.db, invoice.id)).filter((event) => event.type === 'invoice.paid'),
    ).toHaveLength(1);
  });

  it('lets through only the concurrent refunds of one payment that fit in it', async () => {
    const owner = await signUpOwner(sut.http);
    const invoice = await openInvoice(sut.http, owner);
    const payment = await createPayment(sut.http, owner, invoice.id, TOTAL);

    const responses = await all(
      times(5, () => () => as(owner).post(`/v1/payments/${payment.id}/refunds`, { amount: 3000 })),
    );

    expect(outcomes(responses)).toEqual({ '201': 3, '422 refund_exceeds_payment': 2 });
    const after = (await as(owner).get(`/v1/payments/${payment.id}`).expect(200)).body;
    expect(after).toMatchObject({ status: 'partially_refunded', amountRefunded: 9000, amount: TOTAL });
    expect(after.refunds.map((refund: { amount: number }) => refund.amount)).toEqual([3000, 3000, 3000]);
    expect(after.invoice).toMatchObject({ status: 'open', amountPaid: 1000, amountDue: 9000 });
    expect((await eventsAbout(sut.db, payment.id)).filter((e) => e.type === 'payment.refunded')).toHaveLength(
      3,
    );
  });

  it('lets exactly one of concurrent full refunds of one payment through', async () => {
    const owner = await signUpOwner(sut.http);
    const invoice = await openInvoice(sut.http, owner);
    const payment = await createPayment(sut.http, owner, invoice.id, 6000);

    const responses = await all(
      times(6, () => () => as(owner).post(`/v1/payments/${payment.id}/refunds`, {})),
    );

    expect(outcomes(responses)).toEqual({ '201': 1, '409 payment_not_refundable': 5 });
    expect(await paymentRowsOf(sut.db, invoice.id)).toEqual([
      { id: payment.id, amount: 6000, amountRefunded: 6000, status: 'refunded' },
    ]);
    expect(await getInvoice(sut.http, owner, invoice.id)).toMatchObject({ amountPaid: 0, amountDue: TOTAL });
  });

  it('keeps a payment racing a void consistent: one wins, the other is refused', async () => {
    const owner = await signUpOwner(sut.http);
    const invoices = await Promise.all(times(6, () => openInvoice(sut.http, owner)));

    const races = await Promise.all(
      invoices.map(async (invoice) => {
        const [payment, voiding] = await Promise.all([
          as(owner).post('/v1/payments', { invoiceId: invoice.id, amount: 4000, method: 'cash' }),
          as(owner).post(`/v1/invoices/${invoice.id}/void`),
        ]);
        return { invoice, payment, voiding };
      }),
    );

    for (const { invoice, payment, voiding } of races) {
      const after = await getInvoice(sut.http, owner, invoice.id);
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
  });

  describe('the database', () => {
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
