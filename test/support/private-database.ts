import { randomUUID } from 'node:crypto';
import pg from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { TEST_DATABASE_URL, testConfig } from './environment.js';
import { freePort, startRedisServer } from './processes.js';
import type { TestApp } from './test-app.js';

/**
 * A migrated database of its own, beside the shared test database, for tests whose apps must be the only
 * relays, dispatchers and workers looking at the rows (the shared one is polled by every `all`-role app).
 */
export interface PrivateDatabase {
  url: string;
  drop(): Promise<void>;
}

function adminUrl(): string {
  return Object.assign(new URL(TEST_DATABASE_URL), { pathname: '/postgres' }).toString();
}

async function asAdmin(sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

export async function createPrivateDatabase(label: string): Promise<PrivateDatabase> {
  const shared = new URL(TEST_DATABASE_URL);
  const name = `${shared.pathname.slice(1)}_${label}_${randomUUID().slice(0, 8)}`;
  await asAdmin(`CREATE DATABASE "${name}"`);
  const url = Object.assign(new URL(shared), { pathname: `/${name}` }).toString();
  const drop = () => asAdmin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  try {
    const dataSource = await new DataSource(dataSourceOptions(url)).initialize();
    try {
      await dataSource.runMigrations();
    } finally {
      await dataSource.destroy();
    }
  } catch (error) {
    await drop();
    throw error;
  }
  return { url, drop };
}

/**
 * startTestApp on a private database (already migrated): the app, an HTTP agent and a client to that database.
 * `overrides` may point the app at the database another way (through a proxy); the client connects directly.
 */
export async function startAppOn(database: PrivateDatabase, overrides: NodeJS.ProcessEnv): Promise<TestApp> {
  const app = await createApp(testConfig({ DATABASE_URL: database.url, ...overrides }));
  try {
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  const db = new pg.Client({ connectionString: database.url });
  await db.connect();
  const close = async () => {
    await db.end();
    await app.close();
  };
  return { app, http: request(app.getHttpServer()), db, close };
}

/**
 * An app on a database and a redis-server of its own: no other app's rows, jobs or retries reach it, and it
 * reaches none of theirs. close() drops both.
 */
export async function startIsolatedTestApp(
  label: string,
  overrides: NodeJS.ProcessEnv = {},
): Promise<TestApp> {
  const port = await freePort();
  const redis = await startRedisServer(port);
  const database = await createPrivateDatabase(label).catch(async (error: unknown) => {
    await redis.stop();
    throw error;
  });
  try {
    const app = await startAppOn(database, { REDIS_URL: `redis://127.0.0.1:${port}`, ...overrides });
    const close = async () => {
      await app.close();
      await redis.stop();
      await database.drop();
    };
    return { ...app, close };
  } catch (error) {
    await redis.stop();
    await database.drop();
    throw error;
  }
}
