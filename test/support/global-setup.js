// Once per run, before any worker starts: an empty test database and an empty Redis database.
// (Plain JS: jest loads this file outside its module mapping. Migrations run from the workers, see database.ts.)
import { Redis } from 'ioredis';
import pg from 'pg';

export default async function globalSetup() {
  const url = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/invoicing_test');
  const name = url.pathname.slice(1);
  const admin = new pg.Client({
    connectionString: Object.assign(new URL(url), { pathname: '/postgres' }).toString(),
  });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();

  const redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15');
  await redis.flushdb();
  redis.disconnect();
}
