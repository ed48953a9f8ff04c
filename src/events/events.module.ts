import { Module } from '@nestjs/common';
import { WebhookDeliveriesModule } from '../webhooks/deliveries/webhook-deliveries.module.js';
import { EventsController } from './events.controller.js';
import { EventsRepository } from './events.repository.js';
import { EventsService } from './events.service.js';

@Module({
  imports: [WebhookDeliveriesModule],
  controllers: [EventsController],
  providers: [EventsService, EventsRepository],
})
export class EventsModule {}
