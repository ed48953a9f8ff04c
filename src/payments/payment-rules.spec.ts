import fc from 'fast-check';
import type { InvoiceStatus } from '../invoices/invoice-status.js';
import { invoiceAfterMoney, refundable, statusAfterRefund } from './payment-rules.js';
import type { PaymentStatus } from './payment.entity.js';

const invoice = (total: number, amountPaid = 0, status: InvoiceStatus = 'open') => ({
  status,
  total,
  amountPaid,
  amountDue: total - amountPaid,
});

describe('invoiceAfterMoney', () => {
  it('moves a partial payment into amountPaid and out of amountDue, keeping the status', () => {
    expect(invoiceAfterMoney(invoice(10_000), 4_000)).toEqual(invoice(10_000, 4_000, 'open'));
    expect(invoiceAfterMoney(invoice(10_000, 0, 'uncollectible'), 4_000)).toEqual(
      invoice(10_000, 4_000, 'uncollectible'),
    );
  });

  it('settles the invoice when exactly what is due is paid', () => {
    expect(invoiceAfterMoney(invoice(10_000, 4_000), 6_000)).toEqual(invoice(10_000, 10_000, 'paid'));
    expect(invoiceAfterMoney(invoice(10_000, 0, 'uncollectible'), 10_000)).toEqual(
      invoice(10_000, 10_000, 'paid'),
    );
  });

  it('answers null for a payment of even one minor unit more than is due', () => {
    expect(invoiceAfterMoney(invoice(10_000), 10_001)).toBeNull();
    expect(invoiceAfterMoney(invoice(10_000, 4_000), 6_001)).toBeNull();
  });

  it('reopens a paid invoice on a refund, and keeps a partly paid one as it was', () => {
    expect(invoiceAfterMoney(invoice(10_000, 10_000, 'paid'), -1)).toEqual(invoice(10_000, 9_999, 'open'));
    expect(invoiceAfterMoney(invoice(10_000, 4_000, 'uncollectible'), -4_000)).toEqual(
      invoice(10_000, 0, 'uncollectible'),
    );
  });

  it('answers null for a refund of more than was paid', () => {
    expect(invoiceAfterMoney(invoice(10_000, 4_000), -4_001)).toBeNull();
  });

  it('keeps the other fields of the invoice', () => {
    const withId = { ...invoice(500), id: 'inv_1', currency: 'JPY' };
    expect(invoiceAfterMoney(withId, 500)).toEqual({
      ...withId,
      amountPaid: 500,
      amountDue: 0,
      status: 'paid',
    });
  });

  it('does not change the invoice it is given', () => {
    const before = invoice(10_000, 4_000);
    invoiceAfterMoney(before, 6_000);
    expect(before).toEqual(invoice(10_000, 4_000));
  });

  /** A payment is applied only when the invoice takes payments, as PaymentsService does (assertAllowed). */
  const takesPayments = (status: InvoiceStatus) => status === 'open' || status === 'uncollectible';

  it('keeps 0 <= amountPaid <= total, amountPaid + amountDue = total, and paid exactly when nothing is due, whatever payments and refunds come (property)', () => {
    const moves = fc.array(
      fc.oneof(
        fc.record({ kind: fc.constant('pay' as const), amount: fc.integer({ min: 1, max: 20_000 }) }),
        fc.record({ kind: fc.constant('refund' as const), amount: fc.integer({ min: 1, max: 20_000 }) }),
      ),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 15_000 }),
        fc.constantFrom<InvoiceStatus>('open', 'uncollectible'),
        moves,
        (total, startStatus, sequence) => {
          let state = invoice(total, 0, startStatus);
          let received = 0;
          for (const move of sequence) {
            if (move.kind === 'pay' && !takesPayments(state.status)) continue;
            const after = invoiceAfterMoney(state, move.kind === 'pay' ? move.amount : -move.amount);
            const fits =
              move.kind === 'pay' ? move.amount <= state.amountDue : move.amount <= state.amountPaid;
            expect(after !== null).toBe(fits);
            if (!after) continue;
            received += move.kind === 'pay' ? move.amount : -move.amount;
            state = after;

            expect(state.amountPaid).toBe(received);
            expect(state.amountPaid).toBeGreaterThanOrEqual(0);
            expect(state.amountPaid).toBeLessThanOrEqual(total);
            expect(state.amountPaid + state.amountDue).toBe(total);
            expect(state.status === 'paid').toBe(state.amountDue === 0);
            expect(['open', 'uncollectible', 'paid']).toContain(state.status);
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

describe('refundable', () => {
  it.each<[PaymentStatus, number, number, number]>([
    ['succeeded', 10_000, 0, 10_000],
    ['partially_refunded', 10_000, 3_000, 7_000],
    ['refunded', 10_000, 10_000, 0],
    ['failed', 10_000, 0, 0],
    ['pending', 10_000, 0, 0],
  ])('of a %s payment of %d with %d refunded is %d', (status, amount, amountRefunded, left) => {
    expect(refundable({ status, amount, amountRefunded })).toBe(left);
  });
});

describe('statusAfterRefund', () => {
  it('is partially_refunded while something is left, refunded once nothing is', () => {
    expect(statusAfterRefund({ amount: 10_000, amountRefunded: 1 })).toBe('partially_refunded');
    expect(statusAfterRefund({ amount: 10_000, amountRefunded: 9_999 })).toBe('partially_refunded');
    expect(statusAfterRefund({ amount: 10_000, amountRefunded: 10_000 })).toBe('refunded');
  });

  it('never lets refunds exceed the payment, whatever refunds are asked for (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.array(fc.integer({ min: 1, max: 100_000 }), { maxLength: 30 }),
        (amount, asked) => {
          const payment = { status: 'succeeded' as PaymentStatus, amount, amountRefunded: 0 };
          for (const refund of asked) {
            // What PaymentsService.refund does: refuse when nothing is left or more than is left is asked.
            const left = refundable(payment);
            if (left === 0 || refund > left) continue;
            payment.amountRefunded += refund;
            payment.status = statusAfterRefund(payment);
            expect(payment.amountRefunded).toBeLessThanOrEqual(amount);
            expect(payment.status === 'refunded').toBe(payment.amountRefunded === amount);
            expect(refundable(payment)).toBe(amount - payment.amountRefunded);
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
