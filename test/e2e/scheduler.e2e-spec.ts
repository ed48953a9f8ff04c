import { randomUUID } from 'node:crypto';
import { getQueueToken } from '@nestjs/bullmq';
import { ModulesContainer } from '@nestjs/core';
import { type Queue, QueueEvents } from 'bullmq';
import { IdempotencyKeysRepository } from '../../src/idempotency/idempotency-keys.repository.js';
import {
  MAINTENANCE_JOBS,
  MAINTENANCE_QUEUE,
  MaintenanceProducer,
} from '../../src/scheduler/maintenance.producer.js';
import { SchedulerModule } from '../../src/scheduler/scheduler.module.js';
import { TEST_REDIS_URL } from '../support/environment.js';
import { createPrivateDatabase, startAppOn } from '../support/private-database.js';
import { freePort, startRedisServer, waitFor } from '../support/processes.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const CLEANUP = 'idempotency-keys.cleanup';

describe('maintenance scheduler', () => {
  let sut: TestApp;
  let queue: Queue;
  let queueEvents: QueueEvents;

  beforeAll(async () => {
    sut = await startTestApp();
    queue = sut.app.get<Queue>(getQueueToken(MAINTENANCE_QUEUE));
    queueEvents = new QueueEvents(MAINTENANCE_QUEUE, { connection: { url: TEST_REDIS_URL } });
    await queueEvents.waitUntilReady();
  });
  afterAll(async () => {
    await queueEvents.close();
    await sut.close();
  });

  /** Stores keys in a scope of their own, `hoursOld` hours old each; answers the scope. */
  async function keysAged(...hoursOld: number[]): Promise<string> {
    const scope = randomUUID();
    for (const [index, hours] of hoursOld.entries()) {
      await sut.db.query(
        `INSERT INTO idempotency_keys (scope, key, request_hash, response_status, response_body, created_at)
         VALUES ($1, $2, 'hash', 201, '{}', now() - $3 * interval '1 hour')`,
        [scope, `${hours}h-${index}`, hours],
      );
    }
    return scope;
  }

  async function keysLeft(scope: string): Promise<string[]> {
    const { rows } = await sut.db.query(`SELECT key FROM idempotency_keys WHERE scope = $1 ORDER BY key`, [
      scope,
    ]);
    return rows.map((row) => row.key);
  }

  describe(CLEANUP, () => {
    it('deletes the keys older than 24 hours and keeps the younger ones', async () => {
      const scope = await keysAged(25, 24.5, 23.9, 1);

      const job = await queue.add(CLEANUP, {});
      await job.waitUntilFinished(queueEvents, 15_000);

      expect(await keysLeft(scope)).toEqual(['1h-3', '23.9h-2']);
    });

    it('deletes batch after batch until none is left', async () => {
      const scope = await keysAged(30, 30, 30, 30, 30, 2);

      await sut.app.get(IdempotencyKeysRepository).deleteExpired(2);

      expect(await keysLeft(scope)).toEqual(['2h-5']);
    });
  });

  describe('job schedulers', () => {
    let second: TestApp;
    beforeAll(async () => {
      second = await startTestApp({ APP_ROLE: 'worker' });
    });
    afterAll(() => second.close());

    it('holds one scheduler per maintenance job, however many workers started', async () => {
      await sut.app.get(MaintenanceProducer).scheduled;
      await second.app.get(MaintenanceProducer).scheduled;

      const schedulers = await queue.getJobSchedulers();

      const expected = Object.entries(MAINTENANCE_JOBS).map(([name, { every }]) => ({ key: name, every }));
      expect(schedulers.map(({ key, every }) => ({ key, every }))).toEqual(expect.arrayContaining(expected));
      expect(schedulers).toHaveLength(expected.length);
    });
  });

  it('registers the schedulers again when Redis comes back empty', async () => {
    const port = await freePort();
    let redis = await startRedisServer(port);
    const database = await createPrivateDatabase('scheduler');
    const worker = await startAppOn(database, { REDIS_URL: `redis://127.0.0.1:${port}`, APP_ROLE: 'worker' });
    const schedulerKeys = async () =>
      (await worker.app.get<Queue>(getQueueToken(MAINTENANCE_QUEUE)).getJobSchedulers())
        .map((scheduler) => scheduler.key)
        .sort();
    try {
      await worker.app.get(MaintenanceProducer).scheduled;
      expect(await schedulerKeys()).toEqual(Object.keys(MAINTENANCE_JOBS).sort());

      await redis.stop('SIGKILL');
      redis = await startRedisServer(port);

      await waitFor(
        async () => (await schedulerKeys()).length === Object.keys(MAINTENANCE_JOBS).length,
        20_000,
        'the schedulers to be registered again',
        200,
      );
      expect(await schedulerKeys()).toEqual(Object.keys(MAINTENANCE_JOBS).sort());
    } finally {
      await worker.close();
      await redis.stop();
      await database.drop();
    }
  }, 60_000);

  it('runs in the all and worker roles, not in the api role', async () => {
    const api = await startTestApp({ APP_ROLE: 'api' });
    const worker = await startTestApp({ APP_ROLE: 'worker' });
    const modulesOf = (app: TestApp) => [...app.app.get(ModulesContainer).values()].map((m) => m.metatype);
    try {
      expect(modulesOf(sut)).toContain(SchedulerModule);
      expect(modulesOf(worker)).toContain(SchedulerModule);
      expect(modulesOf(api)).not.toContain(SchedulerModule);
    } finally {
      await Promise.all([api.close(), worker.close()]);
    }
  });
});
