import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { v7 } from 'uuid';
import { Redis } from 'ioredis';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { WebhookAttempts } from '../../src/webhooks/delivery/webhook-attempts.js';
import {
  DELIVER_JOB,
  ORPHAN_CLAIM_GRACE_MS,
  WebhookDeliveryProducer,
  WEBHOOKS_QUEUE,
} from '../../src/webhooks/delivery/webhook-delivery.producer.js';
import { TEST_REDIS_URL } from '../support/environment.js';
import { type Account, createCustomer, signUpOwner } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { type Answer, Receiver } from '../support/webhook-receiver.js';

type Falsy = false | null | undefined;

/** Polls `check` until it answers something truthy, or fails after `timeoutMs`. */
async function waitFor<T>(
  check: () => Promise<T | Falsy> | T | Falsy,
  timeoutMs = 5000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as T;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('webhook delivery', () => {
  let sut: TestApp;
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    sut = await startTestApp({ WEBHOOK_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_RETRY_SCHEDULE: '1,1,1' });
  });
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
  });
  afterAll(() => sut.close());

  /** A receiver with a secret of its own, answering the nth request with script(n). */
  async function receiver(script: (n: number) => Answer = () => ({ status: 200 })): Promise<Receiver> {
    const started = await new Receiver((_webhookId, _nthForId, n) => script(n)).start();
    started.secret = `whsec_${randomBytes(32).toString('base64')}`;
    receivers.push(started);
    return started;
  }

  /** Registers the receiver as an endpoint of the account's organization (the endpoints API is built apart). */
  async function endpointFor(account: Account, target: Receiver, events: string[] = ['*']): Promise<string> {
    const id = v7();
    await sut.db.query(
      `INSERT INTO webhook_endpoints (id, organization_id, url, events, secret) VALUES ($1, $2, $3, $4, $5)`,
      [id, account.organizationId, target.url, events, target.secret],
    );
    return id;
  }

  async function customerCreatedEventId(customerId: string): Promise<string> {
    const { rows } = await sut.db.query(
      `SELECT id FROM events WHERE type = 'customer.created' AND data->>'id' = $1`,
      [customerId],
    );
    return rows[0].id;
  }

  /**
   * An event of the account's and its delivery to the endpoint, written as the relay writes them: due now, or
   * never due (only what the test calls touches it).
   */
  async function pendingDelivery(account: Account, endpointId: string, due: boolean) {
    const eventId = v7();
    const deliveryId = v7();
    await sut.db.query(
      `INSERT INTO events (id, organization_id, type, data, relayed_at) VALUES ($1, $2, 'customer.updated', '{"id":"x"}', now())`,
      [eventId, account.organizationId],
    );
    await sut.db.query(
      `INSERT INTO webhook_deliveries (id, organization_id, event_id, endpoint_id, next_attempt_at)
       VALUES ($1, $2, $3, $4, CASE WHEN $5 THEN now() END)`,
      [deliveryId, account.organizationId, eventId, endpointId, due],
    );
    return { eventId, deliveryId };
  }

  async function deliveryOf(endpointId: string) {
    const { rows } = await sut.db.query(
      `SELECT id, status, attempts, next_attempt_at AS "nextAttemptAt" FROM webhook_deliveries WHERE endpoint_id = $1`,
      [endpointId],
    );
    return rows[0] as
      { id: string; status: string; attempts: number; nextAttemptAt: Date | null } | undefined;
  }

  async function attemptsOf(endpointId: string) {
    const { rows } = await sut.db.query(
      `SELECT a.attempt, a.status_code AS "statusCode", a.error, a.response_excerpt AS "responseExcerpt",
              a.duration_ms AS "durationMs", a.next_attempt_at AS "nextAttemptAt"
         FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id
        WHERE d.endpoint_id = $1 ORDER BY a.attempt`,
      [endpointId],
    );
    return rows as {
      attempt: number;
      statusCode: number | null;
      error: string | null;
      responseExcerpt: string | null;
      durationMs: number;
      nextAttemptAt: Date | null;
    }[];
  }

  const settled = (endpointId: string) => async () => {
    const delivery = await deliveryOf(endpointId);
    return delivery && delivery.status !== 'pending' ? delivery : undefined;
  };

  it('delivers a customer created through the API, signed, with webhook-id = the event id', async () => {
    const owner = await signUpOwner(sut.http);
    const target = await receiver();
    await endpointFor(owner, target);

    const committed = Date.now();
    const customer = await createCustomer(sut.http, owner);
    const [request] = await waitFor(() => target.received.length > 0 && target.received, 2000, 'the webhook');

    process.stdout.write(`webhook commit→first attempt: ${request.at - committed} ms\n`);
    const eventId = await customerCreatedEventId(customer.id);
    expect(request.verified).toBe(true);
    expect(request.headers['webhook-id']).toBe(eventId);
    expect(request.headers['webhook-signature']).toMatch(/^v1,\S+$/);
    expect(JSON.parse(request.body)).toEqual({
      id: eventId,
      type: 'customer.created',
      timestamp: expect.any(String),
      data: { object: expect.objectContaining({ id: customer.id, name: customer.name }) },
    });
  });

  it('retries a 500 and succeeds on the next attempt with the same webhook-id', async () => {
    const owner = await signUpOwner(sut.http);
    const target = await receiver((n) =>
      n === 1 ? { status: 500, body: 'oops' } : { status: 200, body: 'ok' },
    );
    const endpointId = await endpointFor(owner, target);

    await createCustomer(sut.http, owner);
    const delivery = await waitFor(settled(endpointId), 6000, 'the delivery to settle');

    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 2, nextAttemptAt: null });
    expect(await attemptsOf(endpointId)).toEqual([
      expect.objectContaining({
        attempt: 1,
        statusCode: 500,
        responseExcerpt: 'oops',
        nextAttemptAt: expect.any(Date),
      }),
      expect.objectContaining({ attempt: 2, statusCode: 200, responseExcerpt: 'ok', nextAttemptAt: null }),
    ]);
    expect(target.received.map((request) => request.verified)).toEqual([true, true]);
    expect(target.received[1].headers['webhook-id']).toBe(target.received[0].headers['webhook-id']);
    const { rows } = await sut.db.query(`SELECT failing_since FROM webhook_endpoints WHERE id = $1`, [
      endpointId,
    ]);
    expect(rows[0].failing_since).toBeNull();
  });

  it('disables the endpoint on a 410, with an event and a notification for the owner', async () => {
    const owner = await signUpOwner(sut.http);
    const target = await receiver(() => ({ status: 410 }));
    const endpointId = await endpointFor(owner, target);

    await createCustomer(sut.http, owner);
    const delivery = await waitFor(settled(endpointId), 4000, 'the delivery to settle');

    expect(delivery).toMatchObject({ status: 'failed', attempts: 1 });
    const { rows: endpoints } = await sut.db.query(
      `SELECT enabled, disabled_at AS "disabledAt", disabled_reason AS "disabledReason" FROM webhook_endpoints WHERE id = $1`,
      [endpointId],
    );
    expect(endpoints[0]).toEqual({
      enabled: false,
      disabledAt: expect.any(Date),
      disabledReason: expect.stringMatching(/410/),
    });
    const { rows: events } = await sut.db.query(
      `SELECT organization_id AS "organizationId" FROM events WHERE type = 'webhook_endpoint.disabled' AND data->>'id' = $1`,
      [endpointId],
    );
    expect(events).toEqual([{ organizationId: owner.organizationId }]);
    const { rows: notifications } = await sut.db.query(
      `SELECT user_id AS "userId" FROM notifications WHERE type = 'webhook_endpoint.disabled' AND data->>'endpointId' = $1`,
      [endpointId],
    );
    expect(notifications).toEqual([{ userId: owner.userId }]);
  });

  it('fails a 3xx at once without following it', async () => {
    const owner = await signUpOwner(sut.http);
    const target = await receiver(() => ({ status: 302, headers: { location: '/elsewhere' } }));
    const endpointId = await endpointFor(owner, target);

    await createCustomer(sut.http, owner);
    const delivery = await waitFor(settled(endpointId), 4000, 'the delivery to settle');

    expect(delivery).toMatchObject({ status: 'failed', attempts: 1 });
    expect(await attemptsOf(endpointId)).toEqual([
      expect.objectContaining({ attempt: 1, statusCode: 302, nextAttemptAt: null }),
    ]);
    await sleep(300);
    expect(target.received.map((request) => request.path)).toEqual(['/hook']);
  });

  it('reads a huge answer only in part and keeps 1 KiB of it', async () => {
    const owner = await signUpOwner(sut.http);
    const target = await receiver(() => ({ status: 200, body: Buffer.alloc(2 * 1024 * 1024, 'x') }));
    const endpointId = await endpointFor(owner, target);

    await createCustomer(sut.http, owner);
    const delivery = await waitFor(settled(endpointId), 4000, 'the delivery to settle');

    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 1 });
    const [attempt] = await attemptsOf(endpointId);
    expect(attempt).toMatchObject({ statusCode: 200, error: null });
    expect(attempt.responseExcerpt).toBe('x'.repeat(1024));
  });

  it('sends nothing to an endpoint not subscribed to the type, nor to another organization', async () => {
    const owner = await signUpOwner(sut.http);
    const stranger = await signUpOwner(sut.http);
    const [subscribed, unsubscribed, foreign] = await Promise.all([receiver(), receiver(), receiver()]);
    const subscribedId = await endpointFor(owner, subscribed, ['customer.created']);
    const unsubscribedId = await endpointFor(owner, unsubscribed, ['invoice.paid', 'customer.deleted']);
    const foreignId = await endpointFor(stranger, foreign, ['*']);

    await createCustomer(sut.http, owner);
    await waitFor(settled(subscribedId), 4000, 'the subscribed delivery');
    await sleep(300);

    expect(subscribed.received).toHaveLength(1);
    expect(unsubscribed.received).toHaveLength(0);
    expect(foreign.received).toHaveLength(0);
    expect(await deliveryOf(unsubscribedId)).toBeUndefined();
    expect(await deliveryOf(foreignId)).toBeUndefined();
  });

  it('disables an endpoint that has been failing for 5 days, with an event and a notification', async () => {
    const owner = await signUpOwner(sut.http);
    const target = await receiver(() => ({ status: 500 }));
    const endpointId = await endpointFor(owner, target);
    await sut.db.query(
      `UPDATE webhook_endpoints SET failing_since = now() - interval '5 days 1 minute' WHERE id = $1`,
      [endpointId],
    );

    await createCustomer(sut.http, owner);
    await waitFor(async () => (await attemptsOf(endpointId)).length > 0, 4000, 'an attempt');

    const { rows } = await sut.db.query(
      `SELECT enabled, disabled_reason AS "disabledReason" FROM webhook_endpoints WHERE id = $1`,
      [endpointId],
    );
    expect(rows[0]).toEqual({ enabled: false, disabledReason: expect.stringMatching(/5 days/) });
    const { rows: notifications } = await sut.db.query(
      `SELECT user_id AS "userId" FROM notifications WHERE type = 'webhook_endpoint.disabled' AND data->>'endpointId' = $1`,
      [endpointId],
    );
    expect(notifications).toEqual([{ userId: owner.userId }]);
    // The retry scheduled before the endpoint went is dropped, unsent.
    expect(await waitFor(settled(endpointId), 4000, 'the delivery to settle')).toMatchObject({
      status: 'failed',
    });
    expect(target.received).toHaveLength(1);
  });

  it('signs with both secrets while a rotated one is in its grace period', async () => {
    const owner = await signUpOwner(sut.http);
    const target = await receiver();
    const previous = await receiver();
    const endpointId = await endpointFor(owner, target);
    await sut.db.query(
      `UPDATE webhook_endpoints SET previous_secret = $2, previous_secret_expires_at = now() + interval '1 day' WHERE id = $1`,
      [endpointId, previous.secret],
    );

    await createCustomer(sut.http, owner);
    const [request] = await waitFor(() => target.received.length > 0 && target.received, 2000, 'the webhook');

    const signatures = (request.headers['webhook-signature'] as string).split(' ');
    expect(signatures).toHaveLength(2);
    expect(request.verified).toBe(true);
    expect(() =>
      new Webhook(previous.secret).verify(request.body, request.headers as Record<string, string>),
    ).not.toThrow();
  });

  it('delivers to a fast endpoint while a slow one keeps its request waiting', async () => {
    const owner = await signUpOwner(sut.http);
    const slow = await receiver(() => ({ status: 200, delayMs: 5000 }));
    const fast = await receiver();
    await endpointFor(owner, slow);
    await endpointFor(owner, fast);

    await createCustomer(sut.http, owner);
    await createCustomer(sut.http, owner);

    await waitFor(() => fast.received.length === 2, 2000, 'both webhooks at the fast endpoint');
    expect(slow.received.length).toBeGreaterThan(0);
  });

  it('fails the delivery once the retry schedule is spent', async () => {
    const owner = await signUpOwner(sut.http);
    const target = await receiver(() => ({ status: 503 }));
    const endpointId = await endpointFor(owner, target);

    await createCustomer(sut.http, owner);
    const delivery = await waitFor(settled(endpointId), 8000, 'the delivery to settle');

    // One attempt, then one retry per entry of the schedule (1,1,1).
    expect(delivery).toMatchObject({ status: 'failed', attempts: 4, nextAttemptAt: null });
    const attempts = await attemptsOf(endpointId);
    expect(attempts.map(({ statusCode, nextAttemptAt }) => [statusCode, nextAttemptAt !== null])).toEqual([
      [503, true],
      [503, true],
      [503, true],
      [503, false],
    ]);
    expect(new Set(target.received.map((request) => request.headers['webhook-id'])).size).toBe(1);
    const { rows } = await sut.db.query(
      `SELECT enabled, failing_since FROM webhook_endpoints WHERE id = $1`,
      [endpointId],
    );
    expect(rows[0]).toEqual({ enabled: true, failing_since: expect.any(Date) });
  }, 15_000);

  it('records a refused connection as an attempt without a status and retries it', async () => {
    const owner = await signUpOwner(sut.http);
    const target = await receiver();
    const url = target.url;
    await target.close();
    receivers.splice(receivers.indexOf(target), 1);
    const endpointId = v7();
    await sut.db.query(
      `INSERT INTO webhook_endpoints (id, organization_id, url, events, secret) VALUES ($1, $2, $3, '{*}', $4)`,
      [endpointId, owner.organizationId, url, target.secret],
    );

    await createCustomer(sut.http, owner);
    const [attempt] = await waitFor(
      async () => {
        const attempts = await attemptsOf(endpointId);
        return attempts.length > 0 && attempts;
      },
      4000,
      'an attempt',
    );

    expect(attempt).toMatchObject({
      attempt: 1,
      statusCode: null,
      error: expect.stringMatching(/ECONNREFUSED/),
    });
    expect(attempt.nextAttemptAt).toEqual(expect.any(Date));
  });

  it('delivers a pending delivery that has no job (a Redis that lost its jobs is refilled from Postgres)', async () => {
    const owner = await signUpOwner(sut.http);
    const target = await receiver();
    const endpointId = await endpointFor(owner, target);
    // As if the relay had committed it and Redis had then lost the job: only the rows remain.
    const { eventId } = await pendingDelivery(owner, endpointId, true);

    const [request] = await waitFor(() => target.received.length > 0 && target.received, 3000, 'the webhook');

    expect(request.headers['webhook-id']).toBe(eventId);
    expect(request.verified).toBe(true);
  });

  it('records an attempt once when two workers record it (a stalled job run twice)', async () => {
    const owner = await signUpOwner(sut.http);
    const target = await receiver();
    const endpointId = await endpointFor(owner, target);
    // Never due: only the calls below touch it.
    const { deliveryId } = await pendingDelivery(owner, endpointId, false);
    const attempts = sut.app.get(WebhookAttempts);
    const answered = (statusCode: number) => ({
      due: { deliveryId, attempts: 0, endpointId },
      result: {
        statusCode,
        durationMs: 5,
        body: Buffer.from('ok'),
        truncated: false,
        retryAfter: null,
        error: null,
      },
    });

    const outcomes = await Promise.all([
      attempts.recordAll([answered(200)]),
      attempts.recordAll([answered(200)]),
    ]);
    // A late answer of another kind for the same attempt changes nothing either.
    const late = await attempts.recordAll([answered(500)]);

    expect(outcomes.flat().sort()).toEqual(['stale', 'succeeded']);
    expect(late).toEqual(['stale']);
    expect(await deliveryOf(endpointId)).toMatchObject({
      status: 'succeeded',
      attempts: 1,
      nextAttemptAt: null,
    });
    expect(await attemptsOf(endpointId)).toEqual([
      expect.objectContaining({ attempt: 1, statusCode: 200, responseExcerpt: 'ok', durationMs: 5 }),
    ]);
  });

  it('enqueues an attempt once however many dispatchers offer it at the same time', async () => {
    const producer = sut.app.get(WebhookDeliveryProducer);
    // No such delivery: the job that runs finds it stale and sends nothing.
    const attempt = { deliveryId: v7(), attempts: 0, endpointId: v7() };

    const enqueued = await Promise.all([producer.enqueue([attempt]), producer.enqueue([attempt])]);

    expect(enqueued.sort()).toEqual([0, 1]);
  });

  it('takes over an attempt whose claim was left without its job (a dispatcher died in between), after a grace', async () => {
    const producer = sut.app.get(WebhookDeliveryProducer);
    const redis = new Redis(TEST_REDIS_URL);
    const orphaned = { deliveryId: v7(), attempts: 0, endpointId: v7() };
    const justClaimed = { deliveryId: v7(), attempts: 0, endpointId: v7() };
    try {
      // As a dispatcher leaves them when it dies between claiming and adding the job: no such job is queued.
      await redis.set(producer.claimKey(orphaned), `gone@${Date.now() - ORPHAN_CLAIM_GRACE_MS - 1000}`);
      await redis.set(producer.claimKey(justClaimed), `being-added@${Date.now()}`);

      expect(await producer.enqueue([orphaned])).toBe(1);
      expect(await producer.enqueue([justClaimed])).toBe(0);
      // Taken over for a job that is in the queue now: that claim holds.
      expect(await producer.enqueue([orphaned])).toBe(0);
    } finally {
      redis.disconnect();
    }
  });

  it('makes an attempt once when its job was added without its claim and the attempt was claimed again', async () => {
    // As after a Redis that restarted between a dispatcher's claim and its adding of the job: the job lands
    // in the new Redis without its claim, and the next dispatch claims the attempt again for another job.
    const owner = await signUpOwner(sut.http);
    // Slow, so that both jobs have loaded the attempt before either records it.
    const target = await receiver(() => ({ status: 200, delayMs: 300 }));
    const endpointId = await endpointFor(owner, target);
    // Never due: the dispatcher leaves it alone, only the jobs below carry it.
    const { eventId, deliveryId } = await pendingDelivery(owner, endpointId, false);
    const attempt = { deliveryId, attempts: 0, endpointId };
    const queue = sut.app.get<Queue>(getQueueToken(WEBHOOKS_QUEUE));
    const unclaimedJobId = `unclaimed-${v7()}`;

    expect(await sut.app.get(WebhookDeliveryProducer).enqueue([attempt])).toBe(1);
    await queue.add(
      DELIVER_JOB,
      { deliveries: [attempt] },
      { jobId: unclaimedJobId, removeOnComplete: true },
    );
    await waitFor(async () => !(await queue.getJob(unclaimedJobId)), 5000, 'the unclaimed job to end');
    await waitFor(settled(endpointId), 5000, 'the delivery');

    expect(target.ids()).toEqual([eventId]);
    expect(await attemptsOf(endpointId)).toEqual([expect.objectContaining({ attempt: 1, statusCode: 200 })]);
  });

  it("releases only the claims its job holds, never another job's", async () => {
    const producer = sut.app.get(WebhookDeliveryProducer);
    const redis = new Redis(TEST_REDIS_URL);
    const attempt = { deliveryId: v7(), attempts: 0, endpointId: v7() };
    try {
      await redis.set(producer.claimKey(attempt), `holder@${Date.now()}`);

      await producer.release('another', [attempt]);
      expect(await redis.get(producer.claimKey(attempt))).toMatch(/^holder@\d+$/);
      await producer.release('holder', [attempt]);
      expect(await redis.get(producer.claimKey(attempt))).toBeNull();
    } finally {
      redis.disconnect();
    }
  });
});
