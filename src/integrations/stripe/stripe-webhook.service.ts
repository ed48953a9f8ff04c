import { Injectable, type OnModuleInit } from '@nestjs/common';
import type Stripe from 'stripe';
import { DomainError } from '../../common/errors/domain-error.js';
import { AppConfig } from '../../config/app-config.js';
import { Transactions } from '../../database/transactions.js';
import { PaymentsService, type ProviderOutcome } from '../../payments/payments.service.js';
import type { StripeWebhookResponseDto } from './dto/stripe-webhook.dto.js';
import { STRIPE_PROVIDER, type StripeReport, toStripeReport } from './stripe-event-report.js';
import { StripeEventsRepository } from './stripe-events.repository.js';

/** Stripe's own advice: refuse signatures older than 5 minutes, so a captured request cannot be replayed. */
const SIGNATURE_TOLERANCE_SECONDS = 300;

@Injectable()
export class StripeWebhookService implements OnModuleInit {
  /** Stripe's SDK, loaded only where STRIPE_WEBHOOK_SECRET is set: elsewhere it would sit in memory unused. */
  private sdk: typeof Stripe | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly transactions: Transactions,
    private readonly events: StripeEventsRepository,
    private readonly payments: PaymentsService,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.config.stripeWebhookSecret) this.sdk = (await import('stripe')).default;
  }

  /**
   * Verifies a Stripe delivery and applies its event once: the event id, the change and its outbox events
   * commit together, so a replay, even a concurrent one, changes nothing.
   */
  async receive(rawBody: Buffer | undefined, signature: unknown): Promise<StripeWebhookResponseDto> {
    const event = this.verified(rawBody, signature);
    return this.transactions.runInNew(async (manager) => {
      if (!(await this.events.claim(manager, event))) return { received: true, duplicate: true };
      const result = await this.apply(toStripeReport(event));
      const reason = result.outcome === 'ignored' ? result.reason : null;
      await this.events.recordOutcome(manager, event.id, result.outcome, reason);
      return { received: true, outcome: result.outcome, ...(reason === null ? {} : { reason }) };
    });
  }

  private apply(report: StripeReport): Promise<ProviderOutcome> {
    switch (report.kind) {
      case 'payment':
        return this.payments.recordProviderPayment(report.payment);
      case 'failure':
        return this.payments.recordProviderFailure(report.payment);
      case 'refund':
        return this.payments.recordProviderRefund(
          STRIPE_PROVIDER,
          report.providerPaymentId,
          report.totalRefunded,
        );
      case 'ignore':
        return Promise.resolve({ outcome: 'ignored', reason: report.reason });
    }
  }

  /** The event, once its Stripe-Signature proves Stripe sent these exact bytes within the tolerance. */
  private verified(rawBody: Buffer | undefined, signature: unknown): Stripe.Event {
    const secret = this.config.stripeWebhookSecret;
    const sdk = this.sdk;
    if (!secret || !sdk) {
      throw new DomainError('stripe_not_configured', 'STRIPE_WEBHOOK_SECRET is not set on this server');
    }
    if (typeof signature !== 'string' || signature === '') {
      throw new DomainError('invalid_signature', 'The Stripe-Signature header is missing');
    }
    if (!rawBody) throw new DomainError('invalid_signature', 'There is no body to verify');
    let event: Stripe.Event;
    try {
      event = sdk.webhooks.constructEvent(rawBody, signature, secret, SIGNATURE_TOLERANCE_SECONDS);
    } catch (error) {
      if (error instanceof sdk.errors.StripeSignatureVerificationError) {
        throw new DomainError('invalid_signature', firstSentence(error.message));
      }
      throw error;
    }
    if (
      typeof event !== 'object' ||
      event === null ||
      typeof event.id !== 'string' ||
      typeof event.type !== 'string'
    ) {
      throw new DomainError('validation_failed', 'The body is not a Stripe event (no id or type)');
    }
    return event;
  }
}

/** Stripe's messages go on to troubleshooting advice and a link; the first sentence says what failed. */
const firstSentence = (message: string) => message.split(/\.\s/)[0].trim();
