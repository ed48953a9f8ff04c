// Once per run, before any worker starts: for each jest worker, an empty test database and an empty Redis
// database (test-services.js). Plain JS: jest loads this file outside its module mapping. Migrations run from
// the workers, see database.ts.
import { Redis } from 'ioredis';
import pg from 'pg';
import { testDatabaseUrl, testRedisUrl } from './test-services.js';

export default async function globalSetup(globalConfig) {
  for (let worker = 1; worker <= globalConfig.maxWorkers; worker++) {
    const url = new URL(testDatabaseUrl(worker));
    const name = url.pathname.slice(1);
    const admin = new pg.Client({ connectionString: Object.assign(url, { pathname: '/postgres' }).toString() });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();

    const redis = new Redis(testRedisUrl(worker));
    await redis.flushdb();
    redis.disconnect();
  }
}
