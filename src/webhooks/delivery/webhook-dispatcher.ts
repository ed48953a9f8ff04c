import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import {
  type WebhookDeliveryJob,
  WebhookDeliveryProducer,
  WEBHOOKS_QUEUE,
} from './webhook-delivery.producer.js';

/** How often due deliveries are looked for when nothing wakes the dispatcher (retries, a Redis back from away). */
export const DISPATCH_POLL_MS = 500;
const BATCH = 500;

const DUE = `
  SELECT id AS "deliveryId", attempts
    FROM webhook_deliveries
   WHERE status = 'pending' AND next_attempt_at <= now()
   ORDER BY next_attempt_at
   LIMIT $1`;

/**
 * Moves due deliveries from Postgres into the `webhooks` queue: right after the relay commits (kick) and on a
 * short poll. Postgres is the record, so a Redis that lost its jobs, or a job that died with its worker, is
 * refilled from the rows; the job id makes enqueuing an attempt twice harmless.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(WEBHOOKS_QUEUE) private readonly queue: Queue,
    private readonly producer: WebhookDeliveryProducer,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.kick(), DISPATCH_POLL_MS);
    this.kick();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** Dispatches now, or once more right after the run in progress. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.dispatch()
      .then(() => undefined)
      .catch((error: Error) => this.logger.warn(`Webhook dispatch failed: ${error.message}`))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Enqueues the due deliveries; answers how many were offered to the queue. */
  async dispatch(): Promise<number> {
    // Commands to an absent Redis would pile up in the client's offline queue; the next poll retries.
    if (!(await this.redisReady())) return 0;
    const due: WebhookDeliveryJob[] = await this.dataSource.query(DUE, [BATCH]);
    await this.producer.enqueue(due);
    return due.length;
  }

  /** Whether the queue's Redis connection is up; its client only exists once it first connected. */
  private redisReady(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 1000)));
    const ready = this.queue
      .getBackend()
      .client.then((client) => client.status === 'ready')
      .catch(() => false);
    return Promise.race([ready, gaveUp]).finally(() => clearTimeout(timer));
  }
}
