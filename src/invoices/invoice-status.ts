import { DomainError } from '../common/errors/domain-error.js';
import type { ErrorCode } from '../common/errors/error-codes.js';

export const INVOICE_STATUSES = ['draft', 'open', 'paid', 'void', 'uncollectible'] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

export const INVOICE_ACTIONS = [
  'update',
  'finalize',
  'send',
  'pay',
  'void',
  'mark_uncollectible',
  'delete',
] as const;
export type InvoiceAction = (typeof INVOICE_ACTIONS)[number];

interface InvoiceState {
  status: InvoiceStatus;
  amountPaid: number;
}

// Which statuses each action starts from; void also needs no money kept (refund payments first).
const FROM: Record<InvoiceAction, readonly InvoiceStatus[]> = {
  update: ['draft'],
  finalize: ['draft'],
  send: ['open', 'paid', 'uncollectible'],
  pay: ['open', 'uncollectible'],
  void: ['open', 'uncollectible'],
  mark_uncollectible: ['open'],
  delete: ['draft'],
};

const ERROR: Record<InvoiceAction, ErrorCode> = {
  update: 'cannot_update_invoice',
  finalize: 'cannot_finalize_invoice',
  send: 'cannot_send_invoice',
  pay: 'cannot_pay_invoice',
  void: 'cannot_void_invoice',
  mark_uncollectible: 'cannot_mark_uncollectible_invoice',
  delete: 'cannot_delete_invoice',
};

export function isAllowed(invoice: InvoiceState, action: InvoiceAction): boolean {
  if (action === 'void' && invoice.amountPaid > 0) return false;
  return FROM[action].includes(invoice.status);
}

/** What a client may do with the invoice now, so it never has to guess. */
export function allowedActions(invoice: InvoiceState): InvoiceAction[] {
  return INVOICE_ACTIONS.filter((action) => isAllowed(invoice, action));
}

/** Throws the 409 naming the refused transition, e.g. cannot_void_invoice for a paid invoice. */
export function assertAllowed(invoice: InvoiceState, action: InvoiceAction): void {
  if (isAllowed(invoice, action)) return;
  const why = action === 'void' && invoice.amountPaid > 0 ? ' with payments on it' : '';
  const article = /^[aeiou]/.test(invoice.status) ? 'An' : 'A';
  throw new DomainError(
    ERROR[action],
    `${article} ${invoice.status} invoice${why} cannot be ${PAST[action]}`,
  );
}

const PAST: Record<InvoiceAction, string> = {
  update: 'edited',
  finalize: 'finalized',
  send: 'sent',
  pay: 'paid',
  void: 'voided',
  mark_uncollectible: 'marked uncollectible',
  delete: 'deleted',
};

/** The status an action leaves the invoice in. */
export const STATUS_AFTER: Partial<Record<InvoiceAction, InvoiceStatus>> = {
  finalize: 'open',
  void: 'void',
  mark_uncollectible: 'uncollectible',
};

/** Payments settle an invoice once nothing is due (the payments feature calls this). */
export function statusAfterPayment(invoice: InvoiceState & { amountDue: number }): InvoiceStatus {
  const payable =
    invoice.status === 'open' || invoice.status === 'uncollectible' || invoice.status === 'paid';
  if (!payable) return invoice.status;
  return invoice.amountDue === 0 ? 'paid' : invoice.status === 'paid' ? 'open' : invoice.status;
}
