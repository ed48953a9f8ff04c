import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import pg from 'pg';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config.js';

/** The channel the events table's AFTER INSERT trigger notifies (migration EventsNotify). */
export const EVENTS_CHANNEL = 'events_inserted';

/**
 * One LISTEN connection per process on the events trigger's channel. Postgres delivers a notification when
 * the transaction that wrote events commits, so subscribers (the outbox relay, the PDF dispatcher) wake
 * right after a change becomes visible. Subscribers also poll: without a connection nothing is missed,
 * only later.
 */
@Injectable()
export class EventNotifications implements OnModuleDestroy {
  private readonly logger = new Logger(EventNotifications.name);
  private readonly subscribers = new Set<() => void>();
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly config: AppConfig) {}

  subscribe(wake: () => void): void {
    this.subscribers.add(wake);
  }

  /** Connects when not connected (again after a lost connection); a failure is logged and retried next call. */
  listen(): Promise<void> {
    if (this.client || this.closed) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => (this.connecting = null));
    return this.connecting;
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    await this.connecting;
    await this.client?.end().catch(() => undefined);
    this.client = null;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.config.databaseUrl });
    client.on('notification', () => this.subscribers.forEach((wake) => wake()));
    client.on('error', (error) => {
      this.logger.warn(`Lost the LISTEN connection: ${error.message}`);
      if (this.client === client) this.client = null;
      client.end().catch(() => undefined);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
      this.client = client;
    } catch (error) {
      this.logger.warn(`Cannot LISTEN for events: ${(error as Error).message}`);
      await client.end().catch(() => undefined);
    }
  }
}

/** Wakes the listeners when the caller's transaction commits, for a change that writes no event. */
export async function notifyOnCommit(manager: EntityManager): Promise<void> {
  await manager.query(`SELECT pg_notify($1, '')`, [EVENTS_CHANNEL]);
}
