import type { InvoiceStatus } from '../invoices/invoice-status.js';
import { statusAfterPayment } from '../invoices/invoice-status.js';
import type { PaymentStatus } from './payment.entity.js';

interface InvoiceBalance {
  status: InvoiceStatus;
  total: number;
  amountPaid: number;
  amountDue: number;
}

/**
 * The invoice after money moves: `delta` > 0 a payment, < 0 a refund. Null when a payment would pay more
 * than is due (the caller answers 422; the database's CHECK refuses it too).
 */
export function invoiceAfterMoney<T extends InvoiceBalance>(invoice: T, delta: number): T | null {
  const amountPaid = invoice.amountPaid + delta;
  if (amountPaid > invoice.total || amountPaid < 0) return null;
  const amountDue = invoice.total - amountPaid;
  return {
    ...invoice,
    amountPaid,
    amountDue,
    status: statusAfterPayment({ ...invoice, amountPaid, amountDue }),
  };
}

/** What is left to refund on a payment. */
export function refundable(payment: {
  status: PaymentStatus;
  amount: number;
  amountRefunded: number;
}): number {
  const refundableStatus = payment.status === 'succeeded' || payment.status === 'partially_refunded';
  return refundableStatus ? payment.amount - payment.amountRefunded : 0;
}

export function statusAfterRefund(payment: { amount: number; amountRefunded: number }): PaymentStatus {
  return payment.amountRefunded >= payment.amount ? 'refunded' : 'partially_refunded';
}
