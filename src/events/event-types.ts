/** The event catalogue; webhook subscriptions are validated against it. */
export const EVENT_TYPES = [
  'customer.created',
  'customer.updated',
  'customer.deleted',
  'invoice.created',
  'invoice.updated',
  'invoice.deleted',
  'invoice.finalized',
  'invoice.sent',
  'invoice.paid',
  'invoice.voided',
  'invoice.marked_uncollectible',
  'invoice.overdue',
  'invoice.pdf_ready',
  'invoice.pdf_failed',
  'payment.succeeded',
  'payment.failed',
  'payment.refunded',
  'webhook_endpoint.disabled',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];
