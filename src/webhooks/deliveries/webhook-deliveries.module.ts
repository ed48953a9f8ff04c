import { Module } from '@nestjs/common';
import { WebhookDeliveriesController } from './webhook-deliveries.controller.js';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository.js';
import { WebhookDeliveriesService } from './webhook-deliveries.service.js';

/** The delivery log and replay over HTTP; the sending itself is the workers' (webhooks/relay). */
@Module({
  controllers: [WebhookDeliveriesController],
  providers: [WebhookDeliveriesService, WebhookDeliveriesRepository],
  exports: [WebhookDeliveriesRepository],
})
export class WebhookDeliveriesModule {}
