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
  'webhook_endpoint.test',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * The test ping of `POST /v1/webhook-endpoints/:id/test`: sent to that one endpoint only, never relayed to
 * subscribers, so no endpoint can subscribe to it.
 */
export const TEST_EVENT_TYPE = 'webhook_endpoint.test' satisfies EventType;

/** What an endpoint may subscribe to: the catalogue without the test ping. */
export const SUBSCRIBABLE_EVENT_TYPES: readonly EventType[] = EVENT_TYPES.filter(
  (type) => type !== TEST_EVENT_TYPE,
);
