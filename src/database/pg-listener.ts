import type { Logger } from '@nestjs/common';
import pg from 'pg';
import { GuardedClient } from './guarded-client.js';

export interface PgListenerOptions {
  databaseUrl: string;
  channel: string;
  /** Names the connection in pg_stat_activity, for operators. */
  applicationName: string;
  logger: Logger;
  onNotification: (payload: string) => void;
  /** The connection ended: whatever was notified until it is back is never heard. */
  onLost?: () => void;
}

/** After a failed connect, calls to listen() wait this long before trying again. */
const RETRY_DELAY_MS = 1000;

/**
 * One LISTEN connection on one channel, opened on demand: listen() connects when not connected, again after
 * the connection is lost. Postgres delivers a notification when the transaction that sent it commits.
 */
export class PgListener {
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private retryAt = 0;
  private closed = false;

  constructor(private readonly options: PgListenerOptions) {}

  /** True while notifications are heard: LISTEN has run and the connection has not been lost since. */
  get listening(): boolean {
    return this.client !== null;
  }

  /** Connects when not connected; a failure is logged and retried by a call a second or more later. */
  listen(): Promise<void> {
    if (this.client || this.closed || Date.now() < this.retryAt) return this.connecting ?? Promise.resolve();
    this.connecting ??= this.connect().finally(() => (this.connecting = null));
    return this.connecting;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.connecting;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const { databaseUrl, channel, applicationName, logger, onNotification } = this.options;
    // A listening connection is idle for long: probes after a minute of silence keep middleboxes from
    // dropping it and notice a peer that vanished without a word (the OS default waits two hours).
    const client = new GuardedClient({
      connectionString: databaseUrl,
      application_name: applicationName,
      keepAlive: true,
      keepAliveInitialDelayMillis: 60_000,
    });
    client.on('notification', (message) => onNotification(message.payload ?? ''));
    const lose = (reason: string) => {
      if (this.client !== client) return;
      this.client = null;
      logger.warn(`Lost the LISTEN ${channel} connection: ${reason}`);
      this.options.onLost?.();
      client.end().catch(() => undefined);
    };
    client.on('error', (error) => lose(error.message));
    client.on('end', () => lose('the connection ended'));
    try {
      await client.connect();
      await client.query(`LISTEN ${channel}`);
      if (this.closed) throw new Error('closed');
      this.client = client;
    } catch (error) {
      this.retryAt = Date.now() + RETRY_DELAY_MS;
      if (!this.closed) logger.warn(`Cannot LISTEN ${channel}: ${(error as Error).message}`);
      await client.end().catch(() => undefined);
    }
  }
}
