import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { EventNotifications } from '../../events/event-notifications.js';
import { WebhookDispatcher } from '../delivery/webhook-dispatcher.js';

/** How long the relay sleeps when no notification wakes it. */
export const RELAY_POLL_MS = 1000;
const BATCH = 200;

/**
 * One statement, so one transaction: take the oldest unrelayed events (skipping those another relay holds),
 * owe each to every enabled endpoint of its organization that subscribes to its type and existed before it,
 * and mark them relayed. Delivery ids are UUIDv7 made in SQL (see notifier.ts).
 */
const RELAY = `
  WITH batch AS (
    SELECT id, organization_id, type, created_at
      FROM events
     WHERE relayed_at IS NULL
     ORDER BY id
     LIMIT $1
       FOR UPDATE SKIP LOCKED
  ), now AS (SELECT extract(epoch FROM clock_timestamp()) * 1000 AS ms),
  owed AS (
    INSERT INTO webhook_deliveries (id, organization_id, event_id, endpoint_id, status, attempts, next_attempt_at)
    SELECT (lpad(to_hex(floor(now.ms)::bigint), 12, '0') || '7'
            || lpad(to_hex(floor((now.ms - floor(now.ms)) * 4096)::int), 3, '0')
            || substr(replace(gen_random_uuid()::text, '-', ''), 17))::uuid,
           batch.organization_id, batch.id, endpoint.id, 'pending', 0, now()
      FROM batch
      JOIN webhook_endpoints endpoint
        ON endpoint.organization_id = batch.organization_id
       AND endpoint.enabled
       AND (batch.type = ANY (endpoint.events) OR '*' = ANY (endpoint.events))
       AND endpoint.created_at <= batch.created_at
     CROSS JOIN now
     ORDER BY batch.id
        ON CONFLICT (event_id, endpoint_id) DO NOTHING
    RETURNING id
  ), relayed AS (
    UPDATE events SET relayed_at = now() FROM batch WHERE events.id = batch.id RETURNING events.id
  )
  SELECT (SELECT count(*) FROM relayed)::int AS events, (SELECT count(*) FROM owed)::int AS deliveries`;

/**
 * The outbox relay (worker role): turns committed events into webhook deliveries in Postgres, woken by
 * the events trigger's NOTIFY and otherwise polling every second. Redis is not touched here: the
 * dispatcher moves the new deliveries into the queue after the commit.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OutboxRelay.name);
  private stopped = false;
  private notified = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly notifications: EventNotifications,
    private readonly dispatcher: WebhookDispatcher,
  ) {}

  onApplicationBootstrap(): void {
    this.notifications.subscribe(() => {
      this.notified = true;
      this.wake?.();
    });
    this.loop = this.run();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  /** Relays one batch; answers how many events it relayed and how many deliveries it created. */
  async relayBatch(): Promise<{ events: number; deliveries: number }> {
    const [counts]: { events: number; deliveries: number }[] = await this.dataSource.query(RELAY, [BATCH]);
    if (counts.deliveries > 0) this.dispatcher.kick();
    return counts;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      await this.notifications.listen();
      this.notified = false;
      let relayed = 0;
      try {
        relayed = (await this.relayBatch()).events;
      } catch (error) {
        this.logger.warn(`Outbox relay failed: ${(error as Error).message}`);
      }
      // A full batch means more are waiting: go again at once.
      if (relayed < BATCH) await this.sleep();
    }
  }

  /** Sleeps until a notification, the poll interval, or shutdown. */
  private sleep(): Promise<void> {
    if (this.notified || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, RELAY_POLL_MS);
      this.wake = done;
    });
  }
}
