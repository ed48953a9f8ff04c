import { isUUID } from 'class-validator';
import type Stripe from 'stripe';
import type { ProviderPayment } from '../../payments/payments.service.js';

export const STRIPE_PROVIDER = 'stripe';

/** What a Stripe event asks of the payments service, or why it asks nothing. */
export type StripeReport =
  | { kind: 'payment'; payment: ProviderPayment }
  | { kind: 'failure'; payment: ProviderPayment }
  | { kind: 'refund'; providerPaymentId: string; totalRefunded: number }
  | { kind: 'ignore'; reason: string };

/** Maps a verified Stripe event to the report the payments service applies; pure, so every shape is unit-tested. */
export function toStripeReport(event: Stripe.Event): StripeReport {
  // A signature proves who sent the bytes, not their shape: what would fail further in is ignored here.
  const object: unknown = event.data?.object;
  if (typeof object !== 'object' || object === null) return ignore(`event ${event.id} has no data.object`);
  switch (event.type) {
    case 'payment_intent.succeeded': {
      const intent = event.data.object;
      return paymentReport('payment', intent, intent.amount_received, event.created);
    }
    case 'payment_intent.payment_failed': {
      const intent = event.data.object;
      return paymentReport('failure', intent, intent.amount, event.created);
    }
    case 'charge.refunded': {
      const charge = event.data.object;
      const intent = charge.payment_intent;
      const providerPaymentId = typeof intent === 'string' ? intent : intent?.id;
      if (!providerPaymentId) return ignore(`charge ${charge.id} has no payment_intent`);
      if (!isMinorUnits(charge.amount_refunded, 0)) {
        return ignore(`charge ${charge.id} has no valid amount_refunded`);
      }
      return { kind: 'refund', providerPaymentId, totalRefunded: charge.amount_refunded };
    }
    default:
      return ignore(`event type ${event.type} is not handled`);
  }
}

function paymentReport(
  kind: 'payment' | 'failure',
  intent: Stripe.PaymentIntent,
  amount: number,
  eventCreated: number,
): StripeReport {
  if (typeof intent.id !== 'string' || intent.id === '') return ignore('payment intent has no id');
  if (!isMinorUnits(eventCreated, 0) || eventCreated > LATEST_UNIX_SECONDS) {
    return ignore(`the event about payment intent ${intent.id} has no valid created time`);
  }
  const invoiceId = intent.metadata?.invoiceId;
  if (!invoiceId) return ignore(`payment intent ${intent.id} has no metadata.invoiceId`);
  if (!isUUID(invoiceId)) return ignore(`metadata.invoiceId ${JSON.stringify(invoiceId)} is not a UUID`);
  if (!isMinorUnits(amount, 1)) return ignore(`payment intent ${intent.id} has no valid amount`);
  if (typeof intent.currency !== 'string' || !/^[a-z]{3}$/i.test(intent.currency)) {
    return ignore(`payment intent ${intent.id} has no valid currency`);
  }
  return {
    kind,
    payment: {
      provider: STRIPE_PROVIDER,
      providerPaymentId: intent.id,
      invoiceId,
      amount,
      currency: intent.currency.toUpperCase(),
      // When Stripe reported the outcome: an intent can be created days before it succeeds (bank debits).
      paidAt: new Date(eventCreated * 1000),
      ...(kind === 'failure' && typeof intent.last_payment_error?.message === 'string'
        ? { failureMessage: intent.last_payment_error.message }
        : {}),
    },
  };
}

// 9999-12-31T23:59:59Z: a later `created` is no date Postgres stores.
const LATEST_UNIX_SECONDS = 253_402_300_799;

const isMinorUnits = (value: unknown, min: number): value is number =>
  Number.isSafeInteger(value) && (value as number) >= min;

const ignore = (reason: string): StripeReport => ({ kind: 'ignore', reason });
