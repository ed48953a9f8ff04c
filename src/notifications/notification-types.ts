/** What an in-app notification can be about; the table's check constraint is built from this list. */
export const NOTIFICATION_TYPES = [
  'invoice.paid',
  'payment.failed',
  'invoice.overdue',
  'webhook_endpoint.disabled',
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];
