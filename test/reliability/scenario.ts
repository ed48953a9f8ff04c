import { readFile } from 'node:fs/promises';
import type TestAgent from 'supertest/lib/agent.js';
import type { Account } from '../support/factories.js';
import { type PrivateDatabase, startAppOn } from '../support/private-database.js';
import type { TestApp } from '../support/test-app.js';
import type { Receiver } from '../support/webhook-receiver.js';

/** What the fault scenarios share: a receiver subscribed through the API, and their one-line reports. */

/** The app in all roles but rendering, on `database` and `redisUrl`, delivering to local receivers, retrying every second. */
export function startScenarioApp(database: PrivateDatabase, redisUrl: string): Promise<TestApp> {
  return startAppOn(database, {
    REDIS_URL: redisUrl,
    WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
    WEBHOOK_RETRY_SCHEDULE: '1,1,1,1,1',
  });
}

/** Registers `receiver` as an endpoint for `events` (all by default), keeping the secret shown once. */
export async function subscribe(
  http: TestAgent,
  account: Account,
  receiver: Receiver,
  events: string[] = ['*'],
): Promise<string> {
  const response = await http
    .post('/v1/webhook-endpoints')
    .set('Authorization', account.bearer)
    .send({ url: receiver.url, events })
    .expect(201);
  receiver.secret = response.body.secret;
  return response.body.id;
}

/** Prints a scenario's figures, one line each, for the docs to quote. */
export function report(...lines: string[]): void {
  process.stdout.write(`${lines.join('\n')}\n`);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A process's resident memory now and at its peak, in MiB, from /proc (Linux). */
export async function memoryOf(pid: number): Promise<{ rssMiB: number; peakMiB: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)![1]);
  return { rssMiB: Math.round(kib('VmRSS') / 1024), peakMiB: Math.round(kib('VmHWM') / 1024) };
}
