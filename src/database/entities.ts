import { RefreshToken } from '../auth/refresh-token.entity.js';
import { Session } from '../auth/session.entity.js';
import { User } from '../auth/user.entity.js';
import { Customer } from '../customers/customer.entity.js';
import { Event } from '../events/event.entity.js';
import { IdempotencyKey } from '../idempotency/idempotency-key.entity.js';
import { StripeEvent } from '../integrations/stripe/stripe-event.entity.js';
import { Invitation } from '../invitations/invitation.entity.js';
import { InvoiceLine } from '../invoices/invoice-line.entity.js';
import { Invoice } from '../invoices/invoice.entity.js';
import { Notification } from '../notifications/notification.entity.js';
import { Organization } from '../organizations/organization.entity.js';
import { InvoicePdf } from '../pdf/storage/invoice-pdf.entity.js';
import { Payment } from '../payments/payment.entity.js';
import { Refund } from '../payments/refund.entity.js';
import { WebhookAttempt } from '../webhooks/webhook-attempt.entity.js';
import { WebhookDelivery } from '../webhooks/webhook-delivery.entity.js';
import { WebhookEndpoint } from '../webhooks/webhook-endpoint.entity.js';

export const entities = [
  Organization,
  User,
  Session,
  RefreshToken,
  Invitation,
  Customer,
  Event,
  IdempotencyKey,
  Invoice,
  InvoiceLine,
  InvoicePdf,
  Payment,
  Refund,
  Notification,
  WebhookEndpoint,
  WebhookDelivery,
  WebhookAttempt,
  StripeEvent,
];
