// Webhook delivery benchmark (not a test): npm run bench:webhooks
//
// Boots the production build (APP_ROLE=all, WEBHOOK_ALLOW_PRIVATE_URLS=true) against a fresh database and a
// Redis database of its own, with a local receiver on 127.0.0.1 that verifies every signature with the
// `standardwebhooks` package, and measures:
//   (a) commit -> first attempt: customers created one by one through the API, from the API's 201 to the
//       receiver's arrival (p50/p95/p99);
//   (b) throughput: events written straight to the outbox in batched transactions, deliveries per second
//       until every one has arrived;
// each next to its floor, raw signed POSTs with node:http keep-alive to the same receiver (one by one for
// latency, concurrency 10 for throughput). Results also go to bench/results/webhooks-<timestamp>.json.
// Loopback only, bounded in time (BENCH_TIMEOUT_S), and the database and Redis db are cleaned up.
//
// Knobs (env): BENCH_PG_URL (server, default postgres://postgres@127.0.0.1:5432), BENCH_REDIS_URL (default
// redis://127.0.0.1:6379/11), BENCH_CUSTOMERS (200), BENCH_EVENTS (10000: several seconds of deliveries, so
// the figure is the sustained rate, not the relay's first batches), BENCH_TIMEOUT_S (240),
// WEBHOOK_CONCURRENCY (the app's default, 10).
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { v7 } from 'uuid';
import { createApp } from '../src/app.factory.js';
import { loadConfig } from '../src/config/app-config.js';
import {
  createScratchDatabase,
  dropScratchDatabase,
  flushRedis,
  scratchDatabaseUrl,
} from './scratch-services.js';

const env = process.env;
const REDIS_URL = env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/11';
const CUSTOMERS = Number(env.BENCH_CUSTOMERS ?? 200);
const WARMUP = 10;
const EVENTS = Number(env.BENCH_EVENTS ?? 10_000);
const EVENT_BATCH = 200;
const FLOOR_CONCURRENCY = 10;
const TIMEOUT_MS = Number(env.BENCH_TIMEOUT_S ?? 240) * 1000;
const DATABASE = `invoicing_bench_webhooks_${process.pid}`;
const DATABASE_URL = scratchDatabaseUrl(DATABASE);
const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../bench/results');

const log = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every request the receiver got, by webhook-id; arrival in performance.now() milliseconds. */
class Receiver {
  readonly arrivals = new Map<string, number>();
  /** Arrival by the id of the object a delivery carries (the customer), for the latency phase. */
  readonly byObject = new Map<string, number>();
  readonly secrets = new Map<string, string>();
  received = 0;
  unverified = 0;
  private waiters: { check: () => boolean; resolve: () => void }[] = [];
  private readonly server = http.createServer({ keepAliveTimeout: 30_000 }, (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const at = performance.now();
      const body = Buffer.concat(chunks).toString();
      const secret = this.secrets.get(request.url ?? '');
      try {
        if (!secret) throw new Error('unknown path');
        const payload = new Webhook(secret).verify(body, request.headers as Record<string, string>) as {
          data?: { object?: { id?: string } };
        };
        const id = request.headers['webhook-id'] as string;
        if (!this.arrivals.has(id)) this.arrivals.set(id, at);
        const objectId = payload.data?.object?.id;
        if (objectId && !this.byObject.has(objectId)) this.byObject.set(objectId, at);
        this.received++;
        response.writeHead(200).end('ok');
      } catch {
        this.unverified++;
        response.writeHead(400).end('bad signature');
      }
      this.waiters = this.waiters.filter((waiter) => !(waiter.check() && (waiter.resolve(), true)));
    });
  });

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  url(path: string): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  /** Resolves once `check` holds (checked after every request), or rejects after `timeoutMs`. */
  until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Timed out waiting for ${what}`)), timeoutMs);
      this.waiters.push({
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** A JSON API client over fetch (undici keeps connections alive). */
function api(base: string) {
  let bearer = '';
  return {
    set token(value: string) {
      bearer = `Bearer ${value}`;
    },
    /** The answer's body, and when its status line arrived (performance.now()). */
    async post<T>(path: string, body: object, expected = 201): Promise<T & { answeredAt: number }> {
      const response = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(bearer ? { authorization: bearer } : {}) },
        body: JSON.stringify(body),
      });
      const answeredAt = performance.now();
      const text = await response.text();
      if (response.status !== expected) throw new Error(`POST ${path}: ${response.status} ${text}`);
      return { ...(JSON.parse(text) as T), answeredAt };
    },
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 100) / 100;
  return {
    n: sorted.length,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1]),
  };
}

/** Raw signed POSTs with node:http keep-alive to the receiver: one by one (latency) or `concurrency` at once. */
async function floor(receiver: Receiver, path: string, secret: string, count: number, concurrency: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const url = new URL(receiver.url(path));
  const signer = new Webhook(secret);
  const latencies: number[] = [];
  const post = (): Promise<void> => {
    const id = randomUUID();
    const now = new Date();
    const body = JSON.stringify({
      id,
      type: 'customer.created',
      timestamp: now.toISOString(),
      data: { object: { id: randomUUID(), name: 'Globex' } },
    });
    const headers = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': signer.sign(id, now, body),
    };
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const request = http.request(url, { method: 'POST', agent, headers }, (response) => {
        response.resume();
        response.on('end', () => {
          latencies.push(performance.now() - started);
          if (response.statusCode === 200) resolve();
          else reject(new Error(`floor POST answered ${response.statusCode}`));
        });
      });
      request.on('error', reject);
      request.end(body);
    });
  };
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next++;
        await post();
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { latencies, perSecond: count / seconds };
}

async function main(): Promise<void> {
  log(`webhooks benchmark: database ${DATABASE}, redis ${REDIS_URL}`);
  await createScratchDatabase(DATABASE);
  await flushRedis(REDIS_URL);
  const receiver = await new Receiver().start();
  const config = loadConfig({
    DATABASE_URL,
    REDIS_URL,
    JWT_SECRET: randomUUID() + randomUUID(),
    APP_ROLE: 'all',
    LOG_LEVEL: 'error',
    WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
    ...(env.WEBHOOK_CONCURRENCY ? { WEBHOOK_CONCURRENCY: env.WEBHOOK_CONCURRENCY } : {}),
  });
  let app: NestFastifyApplication | undefined;
  const db = new pg.Client({ connectionString: DATABASE_URL });
  try {
    app = await createApp(config);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.getHttpServer().address() as AddressInfo;
    const client = api(`http://127.0.0.1:${address.port}`);
    await db.connect();

    const signup = await client.post<{ accessToken: string; organization: { id: string } }>(
      '/v1/auth/signup',
      {
        email: `bench-${randomUUID()}@example.test`,
        password: 'correct horse battery staple',
        name: 'Bench Owner',
        organizationName: 'Bench',
      },
    );
    client.token = signup.accessToken;
    const organizationId = signup.organization.id;
    const endpoint = await client.post<{ id: string; secret: string }>('/v1/webhook-endpoints', {
      url: receiver.url('/hooks/customers'),
      events: ['customer.created'],
    });
    receiver.secrets.set('/hooks/customers', endpoint.secret);
    receiver.secrets.set('/floor', endpoint.secret);

    // (a) commit -> first attempt, one customer at a time; the first few warm the pipeline up.
    log(`(a) latency: ${WARMUP} warm-up + ${CUSTOMERS} customers, one by one`);
    const latencies: number[] = [];
    for (let i = 0; i < WARMUP + CUSTOMERS; i++) {
      const customer = await client.post<{ id: string }>('/v1/customers', {
        name: `Customer ${i}`,
        email: `customer-${i}-${randomUUID()}@example.test`,
      });
      await receiver.until(() => receiver.byObject.has(customer.id), 10_000, `customer ${i}'s webhook`);
      if (i >= WARMUP) latencies.push(receiver.byObject.get(customer.id)! - customer.answeredAt);
    }
    const latency = summary(latencies);
    const latencyFloor = summary((await floor(receiver, '/floor', endpoint.secret, CUSTOMERS, 1)).latencies);

    // (b) throughput: outbox rows written in batched transactions; clock from the first insert to the last arrival.
    log(`(b) throughput: ${EVENTS} events in transactions of ${EVENT_BATCH}`);
    const eventIds: string[] = [];
    // Arrivals are counted before they are checked one by one: checking every id after every request would
    // cost the receiver, which shares this process with the app, O(EVENTS²).
    const arrivedBefore = receiver.arrivals.size;
    const started = performance.now();
    for (let offset = 0; offset < EVENTS; offset += EVENT_BATCH) {
      const ids = Array.from({ length: Math.min(EVENT_BATCH, EVENTS - offset) }, () => v7());
      const data = ids.map(() => JSON.stringify({ id: randomUUID(), name: 'Globex', object: 'customer' }));
      await db.query('BEGIN');
      await db.query(
        `INSERT INTO events (id, organization_id, type, data)
         SELECT id, $1, 'customer.created', data FROM unnest($2::uuid[], $3::jsonb[]) AS t(id, data)`,
        [organizationId, ids, data],
      );
      await db.query('COMMIT');
      eventIds.push(...ids);
    }
    const written = performance.now();
    await receiver.until(
      () =>
        receiver.arrivals.size - arrivedBefore >= EVENTS && eventIds.every((id) => receiver.arrivals.has(id)),
      Math.max(30_000, EVENTS * 50),
      'every event',
    );
    const last = Math.max(...eventIds.map((id) => receiver.arrivals.get(id)!));
    const throughput = EVENTS / ((last - started) / 1000);
    const throughputFloor = (await floor(receiver, '/floor', endpoint.secret, EVENTS, FLOOR_CONCURRENCY))
      .perSecond;

    const ratio = (value: number, base: number) => Math.round((value / base) * 100) / 100;
    const results = {
      at: new Date().toISOString(),
      machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version },
      settings: {
        customers: CUSTOMERS,
        events: EVENTS,
        eventBatch: EVENT_BATCH,
        webhookConcurrency: config.webhookConcurrency,
        floorConcurrency: FLOOR_CONCURRENCY,
      },
      latencyMs: { pipeline: latency, floor: latencyFloor },
      throughputPerSecond: {
        pipeline: Math.round(throughput),
        floor: Math.round(throughputFloor),
        ratio: ratio(throughput, throughputFloor),
        outboxWriteMs: Math.round(written - started),
      },
      receiver: { verified: receiver.received, unverified: receiver.unverified },
    };

    log('');
    log('metric                      pipeline     floor   ratio');
    for (const p of ['p50', 'p95', 'p99'] as const) {
      log(
        `commit->first attempt ${p}  ${latency[p].toFixed(1).padStart(8)} ms ${latencyFloor[p].toFixed(2).padStart(6)} ms  x${ratio(latency[p], latencyFloor[p])}`,
      );
    }
    log(
      `deliveries/s                ${String(Math.round(throughput)).padStart(8)}  ${String(Math.round(throughputFloor)).padStart(8)}   ${ratio(throughput, throughputFloor)}`,
    );
    log(`signatures: ${receiver.received} verified, ${receiver.unverified} refused`);
    mkdirSync(RESULTS_DIR, { recursive: true });
    const file = join(RESULTS_DIR, `webhooks-${results.at.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    log(`results: ${file}`);
    if (receiver.unverified > 0) throw new Error('the receiver refused a signature');
  } finally {
    await db.end().catch(() => undefined);
    await app?.close().catch(() => undefined);
    await receiver.close();
    await sleep(100);
    await dropScratchDatabase(DATABASE).catch((error: Error) =>
      log(`could not drop ${DATABASE}: ${error.message}`),
    );
    await flushRedis(REDIS_URL).catch(() => undefined);
  }
}

const deadline = setTimeout(() => {
  process.stderr.write(`webhooks benchmark: over ${TIMEOUT_MS / 1000} s, giving up\n`);
  dropScratchDatabase(DATABASE)
    .catch(() => undefined)
    .finally(() => process.exit(1));
}, TIMEOUT_MS);
deadline.unref();

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack}\n`);
    process.exit(1);
  },
);
