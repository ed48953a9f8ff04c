import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { CoalescingRunner } from '../../queue/coalescing-runner.js';
import { queueReady } from '../../queue/queue-ready.js';
import {
  type WebhookDeliveryJob,
  WebhookDeliveryProducer,
  WEBHOOKS_QUEUE,
} from './webhook-delivery.producer.js';

/** How often due deliveries are looked for when nothing wakes the dispatcher (retries, a Redis back from away). */
export const DISPATCH_POLL_MS = 500;
const BATCH = 500;

const DUE = `
  SELECT delivery.id AS "deliveryId", delivery.attempts, event.request_id AS "requestId"
    FROM webhook_deliveries delivery
    JOIN events event ON event.id = delivery.event_id
   WHERE delivery.status = 'pending' AND delivery.next_attempt_at <= now()
   ORDER BY delivery.next_attempt_at
   LIMIT $1`;

/**
 * Moves due deliveries from Postgres into the `webhooks` queue: right after the relay commits (kick) and on a
 * short poll. Postgres is the record, so a Redis that lost its jobs, or a job that died with its worker, is
 * refilled from the rows; the job id makes enqueuing an attempt twice harmless.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private readonly runner = new CoalescingRunner(
    () => this.dispatch(),
    DISPATCH_POLL_MS,
    (error) => this.logger.warn(`Webhook dispatch failed: ${error.message}`),
  );

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(WEBHOOKS_QUEUE) private readonly queue: Queue,
    private readonly producer: WebhookDeliveryProducer,
  ) {}

  onApplicationBootstrap(): void {
    this.runner.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.runner.stop();
  }

  /** Dispatches now, or once more right after the run in progress. */
  kick(): void {
    this.runner.kick();
  }

  /** Enqueues the due deliveries; answers how many were offered to the queue. */
  async dispatch(): Promise<number> {
    // Commands to an absent Redis would pile up in the client's offline queue; the next poll retries.
    if (!(await queueReady(this.queue))) return 0;
    const due: WebhookDeliveryJob[] = await this.dataSource.query(DUE, [BATCH]);
    await this.producer.enqueue(due);
    return due.length;
  }
}
