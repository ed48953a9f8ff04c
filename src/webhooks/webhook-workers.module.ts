import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { EventNotificationsModule } from '../events/event-notifications.module.js';
import { NotificationsCoreModule } from '../notifications/notifications-core.module.js';
import { WebhookAttempts } from './delivery/webhook-attempts.js';
import { WEBHOOKS_QUEUE, WebhookDeliveryProducer } from './delivery/webhook-delivery.producer.js';
import { WebhookDeliveryProcessor } from './delivery/webhook-delivery.processor.js';
import { WebhookDispatcher } from './delivery/webhook-dispatcher.js';
import { WebhookSender } from './delivery/webhook-sender.js';
import { OutboxRelay } from './relay/outbox-relay.js';
import { checkWebhookUrl, createLookup } from './ssrf.js';

/** The webhook machinery of the worker role: outbox relay, dispatcher and delivery processor; no routes. */
@Module({
  imports: [
    BullModule.registerQueue({ name: WEBHOOKS_QUEUE }),
    NotificationsCoreModule,
    EventNotificationsModule,
  ],
  providers: [
    OutboxRelay,
    WebhookDispatcher,
    WebhookDeliveryProducer,
    WebhookDeliveryProcessor,
    WebhookAttempts,
    {
      provide: WebhookSender,
      inject: [AppConfig],
      // The SSRF guard, wired here only: the URL checked before each attempt, the address at connect time.
      useFactory: ({ webhookAllowPrivateUrls: allowPrivate }: AppConfig) =>
        new WebhookSender({
          checkUrl: (url) => checkWebhookUrl(url, allowPrivate),
          lookup: createLookup({ allowPrivate }),
        }),
    },
  ],
})
export class WebhookWorkersModule {}
