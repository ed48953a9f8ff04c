import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { createApp } from '../../src/app.factory.js';
import { migrateTestDatabase } from './database.js';
import { TEST_DATABASE_URL, testConfig } from './environment.js';

export interface TestApp {
  app: NestFastifyApplication;
  http: TestAgent;
  /** A direct connection to the test database, to look behind the API (events, rows) or set up a state. */
  db: pg.Client;
  close(): Promise<void>;
}

/** The application exactly as main.ts builds it (same adapter, pipes, filters, guards), on a real port. */
export async function startTestApp(overrides: NodeJS.ProcessEnv = {}): Promise<TestApp> {
  await migrateTestDatabase();
  const app = await createApp(testConfig(overrides));
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const db = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await db.connect();
  const close = async () => {
    await db.end();
    await app.close();
  };
  return { app, http: request(app.getHttpServer()), db, close };
}

/** A client address of its own, so per-IP rate limits of one test do not spill into another. */
export function randomIp(): string {
  const bytes = randomUUID().replace(/-/g, '').slice(0, 6);
  return `10.${parseInt(bytes.slice(0, 2), 16)}.${parseInt(bytes.slice(2, 4), 16)}.${parseInt(bytes.slice(4, 6), 16)}`;
}
