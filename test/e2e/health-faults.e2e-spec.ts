import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { expectProblem } from '../support/factories.js';
import { createPrivateDatabase, type PrivateDatabase, startAppOn } from '../support/private-database.js';
import { type Child, freePort, startRedisServer, waitFor } from '../support/processes.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import type { TestApp } from '../support/test-app.js';

/**
 * /health/ready tells the truth while a running app loses Postgres or Redis and gets them back. The app
 * reaches Postgres through a proxy that can cut it off, and Redis is a redis-server of its own.
 */
describe('readiness while dependencies come and go', () => {
  let database: PrivateDatabase;
  let redisPort: number;
  let redis: Child;

  beforeAll(async () => {
    redisPort = await freePort();
    redis = await startRedisServer(redisPort);
    database = await createPrivateDatabase('health');
  }, 60_000);

  afterAll(async () => {
    await redis?.stop();
    await database?.drop();
  }, 30_000);

  const readyAgain = (sut: TestApp) =>
    waitFor(async () => (await sut.http.get('/health/ready')).status === 200, 15_000, 'ready again', 200);

  describe('Postgres', () => {
    let proxy: TcpProxy;
    let sut: TestApp;

    beforeAll(async () => {
      const direct = new URL(database.url);
      proxy = await TcpProxy.start({ host: direct.hostname, port: Number(direct.port) });
      const proxied = Object.assign(new URL(database.url), { port: String(proxy.port) }).toString();
      // The app reaches Postgres through the proxy; the test's own client (sut.db) connects directly.
      sut = await startAppOn(database, {
        DATABASE_URL: proxied,
        REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      });
    }, 30_000);

    afterAll(async () => {
      await sut?.close();
      await proxy?.cut();
    }, 30_000);

    it('is 503 naming the database while it is unreachable, and 200 once it is back', async () => {
      await sut.http.get('/health/ready').expect(200);

      await proxy.cut();
      const down = await sut.http.get('/health/ready');

      expectProblem(down, 503, 'dependency_unavailable');
      expect(down.body.detail).toMatch(/database/);
      expect(down.body.detail).not.toMatch(/redis/);
      await sut.http.get('/health/live').expect(200);

      await proxy.restore();
      await readyAgain(sut);
    });
  });

  describe('Redis', () => {
    let sut: TestApp;

    beforeAll(async () => {
      sut = await startAppOn(database, { REDIS_URL: `redis://127.0.0.1:${redisPort}` });
    }, 30_000);

    afterAll(() => sut?.close(), 30_000);

    it('is 503 naming redis while it is down, and 200 once it is back', async () => {
      await sut.http.get('/health/ready').expect(200);

      await redis.stop();
      const down = await sut.http.get('/health/ready');

      expectProblem(down, 503, 'dependency_unavailable');
      expect(down.body.detail).toMatch(/redis/);
      expect(down.body.detail).not.toMatch(/database/);
      await sut.http.get('/health/live').expect(200);

      redis = await startRedisServer(redisPort);
      await readyAgain(sut);
    }, 30_000);

    it('is 503 while Redis would evict keys, and 200 once it would not', async () => {
      const admin = new Redis(`redis://127.0.0.1:${redisPort}`);
      try {
        await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
        const evicting = await sut.http.get('/health/ready');
        expectProblem(evicting, 503, 'dependency_unavailable');
        expect(evicting.body.detail).toMatch(/noeviction/);

        await admin.config('SET', 'maxmemory-policy', 'noeviction');
        await sut.http.get('/health/ready').expect(200);
      } finally {
        admin.disconnect();
      }
    });
  });
});
