import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bullmq';

export const MAINTENANCE_QUEUE = 'maintenance';

const MINUTE = 60_000;

/** The periodic jobs: name and interval. Add a row here and its handler in MaintenanceProcessor. */
export const MAINTENANCE_JOBS = {
  'idempotency-keys.cleanup': { every: 10 * MINUTE },
  // Due dates are calendar days; checking every 15 minutes announces an invoice soon after midnight UTC.
  'invoices.announce-overdue': { every: 15 * MINUTE },
} as const satisfies Record<string, { every: number }>;

export type MaintenanceJobName = keyof typeof MAINTENANCE_JOBS;

// Periodic jobs need no retries (the next run comes soon); a short history is kept for the dashboard.
const JOB_OPTIONS = { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } };

/** Registers every maintenance job with BullMQ's job schedulers: one per name, however many workers start. */
@Injectable()
export class MaintenanceProducer implements OnApplicationBootstrap {
  private readonly logger = new Logger(MaintenanceProducer.name);
  /** Settles once every job is registered (or registering failed and was logged). */
  scheduled: Promise<void> = Promise.resolve();

  constructor(@InjectQueue(MAINTENANCE_QUEUE) private readonly queue: Queue) {
    queue.on('error', (error) => this.logger.warn(`Maintenance queue: ${error.message}`));
  }

  // Not awaited: a worker booting while Redis is away still serves /health; the next boot registers them.
  onApplicationBootstrap(): void {
    this.schedule();
    // A Redis that comes back empty has lost the schedulers: register them again on every reconnect.
    void this.queue
      .getBackend()
      .client.then((client) => client.on('ready', () => this.schedule()))
      .catch(() => undefined);
  }

  private schedule(): void {
    this.scheduled = this.scheduleAll().catch((error: Error) =>
      this.logger.warn(`Maintenance jobs not scheduled: ${error.message}`),
    );
  }

  private async scheduleAll(): Promise<void> {
    for (const [name, { every }] of Object.entries(MAINTENANCE_JOBS)) {
      // Upserting by a fixed scheduler id is idempotent across restarts and concurrent workers.
      await this.queue.upsertJobScheduler(name, { every }, { name, opts: JOB_OPTIONS });
    }
  }
}
