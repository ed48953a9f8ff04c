import { Module } from '@nestjs/common';
import { PaymentsCoreModule } from '../../payments/payments-core.module.js';
import { StripeEventsRepository } from './stripe-events.repository.js';
import { StripeWebhookController } from './stripe-webhook.controller.js';
import { StripeWebhookService } from './stripe-webhook.service.js';

/** Payment updates pushed by Stripe: payments, failures and refunds made on Stripe's side. */
@Module({
  imports: [PaymentsCoreModule],
  controllers: [StripeWebhookController],
  providers: [StripeWebhookService, StripeEventsRepository],
})
export class StripeModule {}
