import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, type OnModuleDestroy } from '@nestjs/common';
import type { Job } from 'bullmq';
import { IdempotencyKeysRepository } from '../idempotency/idempotency-keys.repository.js';
import { OverdueInvoices } from '../invoices/overdue-invoices.js';
import { closeWorker } from '../queue/close-worker.js';
import { MAINTENANCE_QUEUE, type MaintenanceJobName } from './maintenance.producer.js';

/** Runs the maintenance jobs, dispatching by job name; a job's result is what it did (e.g. rows deleted). */
@Processor(MAINTENANCE_QUEUE)
export class MaintenanceProcessor extends WorkerHost implements OnModuleDestroy {
  private readonly logger = new Logger(MaintenanceProcessor.name);
  private readonly handlers: Record<MaintenanceJobName, () => Promise<unknown>>;

  constructor(idempotencyKeys: IdempotencyKeysRepository, overdueInvoices: OverdueInvoices) {
    super();
    this.handlers = {
      'idempotency-keys.cleanup': () => idempotencyKeys.deleteExpired(),
      'invoices.announce-overdue': () => overdueInvoices.announce(),
    };
  }

  process(job: Job): Promise<unknown> {
    const handler = this.handlers[job.name as MaintenanceJobName];
    if (!handler) throw new Error(`No maintenance job named ${job.name}`);
    return handler();
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.logger.warn(`Maintenance worker: ${error.message}`);
  }

  // Before Nest's BullMQ module closes it, and at once when Redis is away (see closeWorker).
  async onModuleDestroy(): Promise<void> {
    await closeWorker(this.worker);
  }
}
