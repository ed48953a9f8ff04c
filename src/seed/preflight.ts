import { Redis } from 'ioredis';
import pg from 'pg';
import { migrations } from '../../migrations/index.js';
import { checkWebhookUrl, WebhookUrlError } from '../webhooks/ssrf.js';
import { SeedError } from './seed-client.js';

/** The URL with its password masked, fit for an error message. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/** Fails with what to do when the database is unreachable or not migrated to the code's last migration. */
export async function assertMigrated(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new SeedError(
      `Cannot connect to the database ${redactUrl(databaseUrl)}: ${(error as Error).message}`,
    );
  }
  try {
    // Read-only on purpose: TypeORM's showMigrations would create the migrations table in an empty database.
    const { rows } = await client.query<{ table: string | null }>(
      `SELECT to_regclass('migrations') AS "table"`,
    );
    const applied = new Set<string>();
    if (rows[0].table !== null) {
      const result = await client.query<{ name: string }>('SELECT name FROM migrations');
      for (const { name } of result.rows) applied.add(name);
    }
    const pending = migrations
      .map((migration) => (new migration() as { name?: string }).name ?? migration.name)
      .filter((name) => !applied.has(name));
    if (pending.length > 0) {
      const state =
        pending.length === migrations.length
          ? 'no migration has run yet'
          : `${pending.length} of ${migrations.length} migrations are pending (${pending.join(', ')})`;
      throw new SeedError(
        `The database ${redactUrl(databaseUrl)} is not migrated: ${state}. ` +
          'Run `npm run migration:run` with the same DATABASE_URL first, then seed again.',
      );
    }
  } finally {
    await client.end();
  }
}

/** Fails fast when Redis does not answer (signup's rate limit needs it), instead of 503s mid-seed. */
export async function assertRedisReachable(redisUrl: string): Promise<void> {
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: 5_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // Errors arrive through connect() below; without a listener ioredis would also print them.
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new SeedError(`Cannot reach Redis at ${redactUrl(redisUrl)}: ${(error as Error).message}`);
  } finally {
    redis.disconnect();
  }
}

/**
 * True when the webhook URL is on a loopback, private or link-local address (the API refuses those unless
 * WEBHOOK_ALLOW_PRIVATE_URLS=true); a malformed or unresolvable URL stops the seed.
 */
export async function isPrivateWebhookUrl(url: string): Promise<boolean> {
  try {
    await checkWebhookUrl(url, false);
    return false;
  } catch (error) {
    if (error instanceof WebhookUrlError && error.problem === 'forbidden') return true;
    throw new SeedError(`SEED_WEBHOOK_URL ${url} cannot be used: ${(error as Error).message}`);
  }
}
