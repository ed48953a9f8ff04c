import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { AuthUser } from '../common/auth/auth-user.js';
import { AppConfig } from '../config/app-config.js';
import { PgListener } from '../database/pg-listener.js';

/** The channel the sessions and users triggers notify (migration SessionsNotify): `session:<id>`, `user:<id>`. */
export const AUTH_CHANGED_CHANNEL = 'auth_changed';

/** A live session's caller, and when the session ends. */
export interface LiveSession {
  user: AuthUser;
  expiresAt: Date;
}

interface Entry {
  user: AuthUser;
  /** Epoch ms after which the entry is not used: the TTL, or the session's end when sooner. */
  until: number;
}

/** Beyond this many sessions, expired entries are swept, and all are dropped when none had expired. */
const MAX_ENTRIES = 10_000;

/**
 * Remembers, for SESSION_CACHE_TTL_MS, who a live session's caller is, so a busy client's requests skip the
 * session lookup. Revocation still takes effect at once: every change to a session or a user's role is
 * notified by Postgres on commit to every API process, which forgets it, and the process that made the change
 * forgets it before answering. Nothing is cached while that notification connection is down, and what was
 * cached is dropped when it goes, since changes notified meanwhile are never heard.
 */
@Injectable()
export class SessionCache implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly entries = new Map<string, Entry>();
  /** Bumped by every forget: a lookup that overlapped one is not kept, it may have read what was revoked. */
  private generation = 0;
  private readonly ttlMs: number;
  private readonly listener: PgListener;

  constructor(config: AppConfig) {
    this.ttlMs = config.sessionCacheTtlMs;
    this.listener = new PgListener({
      databaseUrl: config.databaseUrl,
      channel: AUTH_CHANGED_CHANNEL,
      applicationName: 'invoicing session cache',
      logger: new Logger(SessionCache.name),
      onNotification: (payload) => this.forget(payload),
      onLost: () => this.forgetAll(),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.ttlMs > 0) await this.listener.listen();
  }

  /** Whether changes are heard, and so whether lookups are kept. */
  get listening(): boolean {
    return this.listener.listening;
  }

  onModuleDestroy(): Promise<void> {
    return this.listener.close();
  }

  /** The session's caller, from the cache when fresh, else from `load` (null: no live session). */
  async lookup(
    sessionId: string,
    userId: string,
    load: () => Promise<LiveSession | null>,
  ): Promise<AuthUser | null> {
    if (this.ttlMs === 0) return (await load())?.user ?? null;
    const now = Date.now();
    const entry = this.entries.get(sessionId);
    if (entry && entry.until > now && entry.user.userId === userId) return entry.user;

    const generation = this.generation;
    const live = await load();
    if (!live) return null;
    if (!this.listener.listening) void this.listener.listen();
    else if (generation === this.generation) this.remember(sessionId, live, now);
    return live.user;
  }

  forgetSession(sessionId: string): void {
    this.generation++;
    this.entries.delete(sessionId);
  }

  forgetUser(userId: string): void {
    this.generation++;
    for (const [sessionId, entry] of this.entries) {
      if (entry.user.userId === userId) this.entries.delete(sessionId);
    }
  }

  private forget(payload: string): void {
    const [kind, id] = payload.split(':');
    if (kind === 'session') this.forgetSession(id);
    else if (kind === 'user') this.forgetUser(id);
    else this.forgetAll();
  }

  private forgetAll(): void {
    this.generation++;
    this.entries.clear();
  }

  private remember(sessionId: string, live: LiveSession, now: number): void {
    if (this.entries.size >= MAX_ENTRIES) {
      for (const [id, entry] of this.entries) if (entry.until <= now) this.entries.delete(id);
      if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    }
    const until = Math.min(now + this.ttlMs, live.expiresAt.getTime());
    this.entries.set(sessionId, { user: Object.freeze(live.user), until });
  }
}
