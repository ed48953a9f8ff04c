// A benchmark's own database and Redis db: created fresh (with the real migrations), dropped at the end.
import { Redis } from 'ioredis';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source-options.js';

/** The Postgres server benchmarks create their databases on (BENCH_PG_URL). */
export const PG_SERVER = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';

export const scratchDatabaseUrl = (name: string): string => `${PG_SERVER}/${name}`;

async function asAdmin(statement: string): Promise<void> {
  const admin = new pg.Client({ connectionString: `${PG_SERVER}/postgres` });
  await admin.connect();
  try {
    await admin.query(statement);
  } finally {
    await admin.end();
  }
}

/** A new, migrated database `name`, replacing one an interrupted run left behind. */
export async function createScratchDatabase(name: string): Promise<void> {
  await dropScratchDatabase(name);
  await asAdmin(`CREATE DATABASE "${name}"`);
  const dataSource = await new DataSource(dataSourceOptions(scratchDatabaseUrl(name))).initialize();
  await dataSource.runMigrations();
  await dataSource.destroy();
}

export function dropScratchDatabase(name: string): Promise<void> {
  return asAdmin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

/** Empties the benchmark's Redis database. */
export async function flushRedis(url: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  await redis.flushdb();
  redis.disconnect();
}

/** Forgets the login and signup throttles' counts, as if their windows had passed. */
export async function resetThrottles(url: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  const keys = await redis.keys('ratelimit:*');
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
}
