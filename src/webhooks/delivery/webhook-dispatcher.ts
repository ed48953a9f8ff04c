import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { CoalescingRunner } from '../../queue/coalescing-runner.js';
import { queueReady } from '../../queue/queue-ready.js';
import { type DueAttempt, WebhookDeliveryProducer, WEBHOOKS_QUEUE } from './webhook-delivery.producer.js';

/** How often due deliveries are looked for when nothing wakes the dispatcher (retries, a Redis back from away). */
export const DISPATCH_POLL_MS = 500;
const BATCH = 500;

/** Due deliveries in due order, after the cursor ($1, $2) when there is one: a pass reads each once. */
const DUE = `
  SELECT delivery.id AS "deliveryId", delivery.attempts, delivery.endpoint_id AS "endpointId",
         event.request_id AS "requestId",
         -- As text: a JS Date would drop the microseconds the cursor compares.
         delivery.next_attempt_at::text AS "dueAt"
    FROM webhook_deliveries delivery
    JOIN events event ON event.id = delivery.event_id
   WHERE delivery.status = 'pending' AND delivery.next_attempt_at <= now()
     AND ($1::timestamptz IS NULL OR (delivery.next_attempt_at, delivery.id) > ($1, $2::uuid))
   ORDER BY delivery.next_attempt_at, delivery.id
   LIMIT $3`;

type Due = DueAttempt & { dueAt: string };

/**
 * Moves due deliveries from Postgres into the `webhooks` queue: right after the relay commits (kick) and on a
 * short poll. Postgres is the record, so a Redis that lost its jobs, or a job that died with its worker, is
 * refilled from the rows; the producer's claims make enqueuing an attempt twice harmless.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WebhookDispatcher.name);
  // Where the last batch ended: the next run goes on from there, past attempts already queued.
  private cursor: Due | null = null;
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

  /** Enqueues the next batch of due deliveries; answers how many were offered to the queue. */
  async dispatch(): Promise<number> {
    // Commands to an absent Redis would pile up in the client's offline queue; the next poll retries.
    if (!(await queueReady(this.queue))) return 0;
    // Enough waiting already: the rest stays in Postgres until the workers catch up (next kick or poll).
    if (await this.producer.backlogged()) return 0;
    const { cursor } = this;
    const due: Due[] = await this.dataSource.query(DUE, [
      cursor?.dueAt ?? null,
      cursor?.deliveryId ?? null,
      BATCH,
    ]);
    await this.producer.enqueue(
      due.map(({ deliveryId, attempts, endpointId, requestId }) => ({
        deliveryId,
        attempts,
        endpointId,
        requestId,
      })),
    );
    // A full batch: more may be due behind it, go on at once. A short one ends the pass, and the next run
    // starts over, so rows committed behind the cursor (or whose job was lost) are not left behind.
    this.cursor = due.length === BATCH ? due[BATCH - 1] : null;
    if (this.cursor) this.kick();
    return due.length;
  }
}
