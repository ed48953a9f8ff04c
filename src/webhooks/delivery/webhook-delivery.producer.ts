import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import type { JobsOptions, Queue } from 'bullmq';

export const WEBHOOKS_QUEUE = 'webhooks';
export const DELIVER_JOB = 'deliver';

/** One attempt of one delivery: `attempts` is how many the delivery had when the job was made. */
export interface WebhookDeliveryJob {
  deliveryId: string;
  attempts: number;
  /** The request that made the event, traced through the attempt's logs. */
  requestId?: string | null;
}

// Retries here cover the worker's own trouble (Postgres away), not the endpoint's: those are rows in
// webhook_deliveries, which also keep the history. Jobs are removed once done, so the job id dedupes
// only queued attempts and the dispatcher can always enqueue an attempt again (a redelivery, a job that
// failed for good); a job that turns out stale is skipped by the processor.
const JOB_OPTIONS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: true,
  removeOnFail: true,
};

/** The only code that knows the `webhooks` queue and its job options. */
@Injectable()
export class WebhookDeliveryProducer {
  private readonly logger = new Logger(WebhookDeliveryProducer.name);

  constructor(@InjectQueue(WEBHOOKS_QUEUE) private readonly queue: Queue<WebhookDeliveryJob>) {
    queue.on('error', (error) => this.logger.warn(`Webhooks queue: ${error.message}`));
  }

  /**
   * Enqueues one job per due attempt. The job id names the delivery and its attempt number, so enqueuing
   * the same attempt again (another dispatcher, the next poll) is a no-op while the job exists.
   */
  async enqueue(attempts: WebhookDeliveryJob[]): Promise<void> {
    if (attempts.length === 0) return;
    await this.queue.addBulk(
      attempts.map((data) => ({ name: DELIVER_JOB, data, opts: { ...JOB_OPTIONS, jobId: jobIdOf(data) } })),
    );
  }
}

// BullMQ refuses ':' in custom ids, so `<deliveryId>_<attempts>`.
export const jobIdOf = ({ deliveryId, attempts }: WebhookDeliveryJob): string => `${deliveryId}_${attempts}`;
