import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { signUpOwner } from '../support/factories.js';
import { createPrivateDatabase, type PrivateDatabase } from '../support/private-database.js';
import { type Child, freePort, startRedisServer, waitFor } from '../support/processes.js';
import type { TestApp } from '../support/test-app.js';
import { Receiver } from '../support/webhook-receiver.js';
import { checkLedger, formatLedger } from './ledger.js';
import { report, sleep, startScenarioApp, subscribe } from './scenario.js';
import { formatTraffic, Traffic } from './traffic.js';

/**
 * Postgres drops the app's connections while requests run: every backend of the app's database is terminated
 * (pg_terminate_backend), again and again, under traffic. A request may fail with 503 (and the client retries
 * it with its Idempotency-Key), but none answers another 5xx, nothing is half-written, and the app recovers.
 */
describe('Postgres connections terminated under load', () => {
  const ROUNDS = 12;
  const EVERY_MS = 250;
  let database: PrivateDatabase;
  let redis: Child;
  let sut: TestApp;
  let receiver: Receiver;
  let started: Traffic | undefined;

  beforeAll(async () => {
    const redisPort = await freePort();
    redis = await startRedisServer(redisPort);
    database = await createPrivateDatabase('pg_faults');
    receiver = await new Receiver().start();
    sut = await startScenarioApp(database, `redis://127.0.0.1:${redisPort}`);
  }, 60_000);

  afterAll(async () => {
    // A failed run left its traffic running.
    await started?.stop();
    await sut?.close();
    await receiver?.close();
    await redis?.stop();
    await database?.drop();
  }, 30_000);

  /** Terminates every backend on the app's database but the test's own connection; answers how many. */
  async function terminateBackends(): Promise<number> {
    const { rows } = await sut.db.query<{ terminated: number }>(
      `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS terminated
         FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );
    return rows[0].terminated;
  }

  it('answers 503 at worst, writes nothing by halves, and recovers', async () => {
    const owner = await signUpOwner(sut.http);
    const endpointId = await subscribe(sut.http, owner, receiver);
    const traffic = new Traffic(sut.http, owner).start(4);
    started = traffic;
    await waitFor(() => traffic.summary().flowsCompleted >= 2, 20_000, 'traffic to flow');

    let terminated = 0;
    for (let round = 0; round < ROUNDS; round++) {
      terminated += await terminateBackends();
      await sleep(EVERY_MS);
    }
    const duringFaults = traffic.summary();
    await waitFor(
      () => traffic.summary().flowsCompleted >= duringFaults.flowsCompleted + 4,
      30_000,
      'flows to complete again after the faults',
    );
    const summary = await traffic.stop();
    await sut.http.get('/health/ready').expect(200);
    const ledger = await checkLedger(sut.db, { receivers: [{ endpointId, received: receiver.received }] });

    report(
      `postgres faults: ${ROUNDS} rounds of pg_terminate_backend every ${EVERY_MS} ms, ${terminated} backends terminated`,
      formatTraffic('postgres connections terminated', summary),
      formatLedger('postgres connections terminated', ledger.counts),
    );
    expect(terminated).toBeGreaterThanOrEqual(ROUNDS);
    expect(summary.unexpected).toEqual([]);
    expect(summary.serverErrors).toBe(0);
    expect(ledger.violations).toEqual([]);
  }, 90_000);
});
