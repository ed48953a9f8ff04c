import { Module } from '@nestjs/common';
import { WebhookEndpointsController } from './endpoints/webhook-endpoints.controller.js';
import { WebhookEndpointsRepository } from './endpoints/webhook-endpoints.repository.js';
import { WebhookEndpointsService } from './endpoints/webhook-endpoints.service.js';

/** The webhooks HTTP API: endpoints (and their delivery log). Delivery itself runs in the worker modules. */
@Module({
  controllers: [WebhookEndpointsController],
  providers: [WebhookEndpointsService, WebhookEndpointsRepository],
})
export class WebhooksModule {}
