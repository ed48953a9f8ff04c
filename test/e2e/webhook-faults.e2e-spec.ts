import { type Account, createCustomer, signUpOwner } from '../support/factories.js';
import { createPrivateDatabase, type PrivateDatabase, startAppOn } from '../support/private-database.js';
import { accepting, type Child, freePort, startRedisServer, waitFor } from '../support/processes.js';
import type { TestApp } from '../support/test-app.js';
import { Receiver } from '../support/webhook-receiver.js';

/**
 * Faults of the webhook pipeline (issue 5): Redis going away while events are written and coming back empty.
 * Postgres is the record: every event still arrives. (A worker stopped or killed mid-delivery, and mid-render,
 * is test/reliability/worker-faults, under traffic and with the ledger.)
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Registers the receiver through the API for customer.created, keeping the secret shown once. */
async function registerEndpoint(sut: TestApp, account: Account, receiver: Receiver): Promise<string> {
  const response = await sut.http
    .post('/v1/webhook-endpoints')
    .set('Authorization', account.bearer)
    .send({ url: receiver.url, events: ['customer.created'] })
    .expect(201);
  receiver.secret = response.body.secret;
  return response.body.id;
}

async function customerEventIds(sut: TestApp, organizationId: string): Promise<string[]> {
  const { rows } = await sut.db.query<{ id: string }>(
    `SELECT id FROM events WHERE organization_id = $1 AND type = 'customer.created' ORDER BY id`,
    [organizationId],
  );
  return rows.map((row) => row.id);
}

async function deliveriesOf(sut: TestApp, endpointId: string) {
  const { rows } = await sut.db.query<{ eventId: string; status: string; attempts: number }>(
    `SELECT event_id AS "eventId", status, attempts FROM webhook_deliveries WHERE endpoint_id = $1 ORDER BY event_id`,
    [endpointId],
  );
  return rows;
}

const distinct = (values: string[]) => [...new Set(values)].sort();

describe('webhook delivery under faults', () => {
  describe('Redis stopped while events are written, restarted empty', () => {
    const BEFORE = 25;
    const DURING = 20;
    // Short on purpose: BullMQ's default reconnect backoff grows to 20 s, so after a long outage the workers
    // take up to that long to notice Redis is back (measured: 19 s after a 20 s outage).
    const OUTAGE_MS = 2000;
    let redisPort: number;
    let redis: Child | undefined;
    let database: PrivateDatabase | undefined;
    let sut: TestApp | undefined;
    let receiver: Receiver | undefined;

    beforeAll(async () => {
      redisPort = await freePort();
      redis = await startRedisServer(redisPort);
      database = await createPrivateDatabase('redis_outage');
      sut = await startAppOn(database, {
        REDIS_URL: `redis://127.0.0.1:${redisPort}`,
        APP_ROLE: 'all',
        WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
        WEBHOOK_RETRY_SCHEDULE: '1,1,1,1,1',
      });
    }, 30_000);

    afterAll(async () => {
      // The app first, while its Redis is (normally) back, then the receiver and the server.
      await sut?.close().catch(() => undefined);
      await receiver?.close();
      await redis?.stop();
      await database?.drop();
    }, 30_000);

    it('writes keep succeeding, and every event arrives once, signed, after Redis comes back', async () => {
      const app = sut!;
      const owner = await signUpOwner(app.http);
      // Slow answers, so that some attempts are in flight and more are queued when Redis dies.
      receiver = await new Receiver(() => ({ status: 200, delayMs: 300 })).start();
      const endpointId = await registerEndpoint(app, owner, receiver);

      // The pipeline works before the outage.
      await createCustomer(app.http, owner);
      await waitFor(() => receiver!.received.length === 1, 5000, 'the first webhook');

      // More than the worker's concurrency (10): when the first of them reaches the receiver, the rest are
      // in flight or waiting in a Redis about to die with them.
      for (let i = 0; i < BEFORE; i++) await createCustomer(app.http, owner, { name: `Before ${i}` });
      await waitFor(() => receiver!.received.length > 1, 5000, 'an attempt in flight');
      await redis!.stop('SIGKILL');
      const stopped = Date.now();
      expect(await accepting(redisPort)).toBe(false);

      for (let i = 0; i < DURING; i++) await createCustomer(app.http, owner, { name: `During ${i}` });
      process.stdout.write(`redis outage: ${DURING} customers written in ${Date.now() - stopped} ms\n`);

      // Postgres holds what is owed: the relay made every delivery while Redis was away.
      const events = await customerEventIds(app, owner.organizationId);
      expect(events).toHaveLength(1 + BEFORE + DURING);
      await waitFor(
        async () => (await deliveriesOf(app, endpointId)).length === events.length,
        5000,
        'the relay to owe every event',
      );
      await sleep(OUTAGE_MS);
      const pending = (await deliveriesOf(app, endpointId)).filter((d) => d.status === 'pending');
      expect(pending.length).toBeGreaterThanOrEqual(DURING);
      const receivedDuringOutage = receiver.received.length;

      redis = await startRedisServer(redisPort);
      const restarted = Date.now();

      await waitFor(
        async () => (await deliveriesOf(app, endpointId)).every((d) => d.status === 'succeeded'),
        30_000,
        'every delivery to succeed after the restart',
        200,
      );
      process.stdout.write(
        `redis outage: ${receivedDuringOutage} received before the restart, ${pending.length} pending; ` +
          `all delivered ${Date.now() - restarted} ms after the restart\n`,
      );

      expect(distinct(receiver.ids())).toEqual(events);
      // Exactly once per webhook-id: the job id dedupes queued attempts, the row lock recorded attempts.
      expect(receiver.ids()).toHaveLength(events.length);
      expect(receiver.received.every((request) => request.verified)).toBe(true);
      expect(await deliveriesOf(app, endpointId)).toEqual(
        events.map((eventId) => ({ eventId, status: 'succeeded', attempts: 1 })),
      );
    }, 60_000);
  });
});
