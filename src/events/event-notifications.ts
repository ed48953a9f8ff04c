import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { PgListener } from '../database/pg-listener.js';

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
  private readonly subscribers = new Set<() => void>();
  private readonly listener: PgListener;

  constructor(config: AppConfig) {
    this.listener = new PgListener({
      databaseUrl: config.databaseUrl,
      channel: EVENTS_CHANNEL,
      applicationName: 'invoicing events listener',
      logger: new Logger(EventNotifications.name),
      onNotification: () => this.subscribers.forEach((wake) => wake()),
    });
  }

  subscribe(wake: () => void): void {
    this.subscribers.add(wake);
  }

  /** Connects when not connected (again after a lost connection); a failure is logged and retried later. */
  listen(): Promise<void> {
    return this.listener.listen();
  }

  onModuleDestroy(): Promise<void> {
    return this.listener.close();
  }
}

/** Wakes the listeners when the caller's transaction commits, for a change that writes no event. */
export async function notifyOnCommit(manager: EntityManager): Promise<void> {
  await manager.query(`SELECT pg_notify($1, '')`, [EVENTS_CHANNEL]);
}
