import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { signUpOwner } from '../support/factories.js';
import { createPrivateDatabase, type PrivateDatabase } from '../support/private-database.js';
import { accepting, type Child, freePort, startRedisServer, waitFor } from '../support/processes.js';
import type { TestApp } from '../support/test-app.js';
import { Receiver } from '../support/webhook-receiver.js';
import { checkLedger, formatLedger } from './ledger.js';
import { report, sleep, startScenarioApp, subscribe } from './scenario.js';
import { formatTraffic, Traffic } from './traffic.js';

/**
 * Redis goes away under traffic three ways: killed and restarted empty (its jobs lost), stopped cleanly and
 * restarted with its data (an append-only file), and killed again and left down a while. Postgres is the record:
 * writes go on answering, and once Redis is back every webhook owed is delivered. (Renders are left out: a render
 * whose job Redis lost is handed over again after 60 s by design, too long for npm test; see the soak.)
 */
describe('Redis stopped, restarted and restarted empty under traffic', () => {
  // Short outages: BullMQ's reconnect backoff grows towards 20 s, and the workers follow it.
  const OUTAGE_MS = 2000;
  let port: number;
  let redis: Child | undefined;
  let dataDirs: string[] = [];
  let database: PrivateDatabase;
  let sut: TestApp;
  let receiver: Receiver;
  let started: Traffic | undefined;

  /** A redis-server on `port` that keeps its data in `dir` (append-only file), as a production one would. */
  const startRedis = async (dir: string) => {
    redis = await startRedisServer(port, ['--appendonly', 'yes', '--dir', dir]);
  };
  /** Runs `command` on a client of its own (the app's clients reconnect on their own schedule). */
  const inRedis = async <T>(command: (client: Redis) => Promise<T>): Promise<T> => {
    const client = new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: true });
    try {
      await client.connect();
      return await command(client);
    } finally {
      client.disconnect();
    }
  };
  const keysInRedis = () => inRedis((client) => client.dbsize());
  // Set before each stop: gone after a restart empty, there after a restart with the data. (The app writes
  // keys again as soon as it reconnects, so their count cannot tell.)
  const MARKER = 'reliability:marker';
  const setMarker = () => inRedis((client) => client.set(MARKER, '1'));
  const markerKept = () => inRedis(async (client) => (await client.exists(MARKER)) === 1);

  beforeAll(async () => {
    port = await freePort();
    dataDirs = await Promise.all([1, 2].map(() => mkdtemp(path.join(tmpdir(), 'redis-faults-'))));
    await startRedis(dataDirs[0]);
    database = await createPrivateDatabase('redis_faults');
    receiver = await new Receiver(() => ({ status: 200, delayMs: 100 })).start();
    sut = await startScenarioApp(database, `redis://127.0.0.1:${port}`);
  }, 60_000);

  afterAll(async () => {
    // A failed run left its traffic running.
    await started?.stop();
    await sut?.close();
    await receiver?.close();
    await redis?.stop();
    await database?.drop();
    await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
  }, 30_000);

  it('keeps answering writes, and delivers every event once Redis is back', async () => {
    const owner = await signUpOwner(sut.http);
    const endpointId = await subscribe(sut.http, owner, receiver);
    const traffic = new Traffic(sut.http, owner).start(3);
    started = traffic;
    const flowsPast = (more: number, what: string) => {
      const target = traffic.summary().flowsCompleted + more;
      return waitFor(() => traffic.summary().flowsCompleted >= target, 30_000, what);
    };
    await flowsPast(2, 'traffic to flow');
    // Webhooks arrive again after a restart (the workers reconnected): how long that took, per restart.
    const resumedAfter: number[] = [];
    const deliveriesResume = async () => {
      const [restarted, receivedBefore] = [Date.now(), receiver.received.length];
      await waitFor(
        async () => receiver.received.length > receivedBefore + 3 && (await keysInRedis()) > 0,
        30_000,
        'deliveries to resume through Redis',
        100,
      );
      resumedAfter.push(Date.now() - restarted);
    };

    // 1. Killed (nothing saved) and restarted on an empty directory: every queued job is gone.
    await setMarker();
    await redis!.stop('SIGKILL');
    expect(await accepting(port)).toBe(false);
    const beforeOutage = traffic.summary().flowsCompleted;
    await sleep(OUTAGE_MS);
    const completedWhileDown = traffic.summary().flowsCompleted - beforeOutage;
    await startRedis(dataDirs[1]);
    const keptAfterEmptyRestart = await markerKept();
    await deliveriesResume();

    // 2. Stopped cleanly (its append-only file flushed) and restarted on it: the jobs are still there.
    await setMarker();
    await redis!.stop('SIGTERM');
    await sleep(OUTAGE_MS / 2);
    await startRedis(dataDirs[1]);
    const keptAfterRestart = await markerKept();
    const keysAfterRestart = await keysInRedis();
    await deliveriesResume();

    // 3. Killed again and left down for a while under traffic, then back (its last second of writes lost).
    await redis!.stop('SIGKILL');
    await sleep(OUTAGE_MS);
    await startRedis(dataDirs[1]);
    await deliveriesResume();

    const summary = await traffic.stop();
    const ledger = await checkLedger(sut.db, { receivers: [{ endpointId, received: receiver.received }] });

    report(
      `redis faults: SIGKILL + restart empty (marker ${keptAfterEmptyRestart ? 'kept' : 'gone'}), SIGTERM + restart with data ` +
        `(${keysAfterRestart} keys), SIGKILL + restart from its file; ${OUTAGE_MS} ms down each time, ` +
        `${completedWhileDown} flows completed while it was down; deliveries resumed ${resumedAfter.join(', ')} ms ` +
        'after each restart',
      formatTraffic('redis faults', summary),
      formatLedger('redis faults', ledger.counts),
    );
    expect(keptAfterEmptyRestart).toBe(false);
    expect(keptAfterRestart).toBe(true);
    // Writes need only the database: flows went on while Redis was away.
    expect(completedWhileDown).toBeGreaterThan(0);
    expect(summary.unexpected).toEqual([]);
    expect(summary.serverErrors).toBe(0);
    expect(ledger.violations).toEqual([]);
  }, 120_000);
});
