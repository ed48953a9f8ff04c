import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { IdempotencyModule } from '../idempotency/idempotency.module.js';
import { InvoicesCoreModule } from '../invoices/invoices-core.module.js';
import { MAINTENANCE_QUEUE, MaintenanceProducer } from './maintenance.producer.js';
import { MaintenanceProcessor } from './maintenance.processor.js';

/** Periodic maintenance (cleanups, overdue checks) on the `maintenance` queue; part of the worker role. */
@Module({
  imports: [BullModule.registerQueue({ name: MAINTENANCE_QUEUE }), IdempotencyModule, InvoicesCoreModule],
  providers: [MaintenanceProducer, MaintenanceProcessor],
})
export class SchedulerModule {}
