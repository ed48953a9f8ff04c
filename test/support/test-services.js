// Where a jest worker's tests keep their data: a database and a Redis database of its own, so the workers
// running side by side never see each other's rows, jobs or retries. Plain JS: global-setup.js uses it too.

const BASE_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/invoicing_test';
const BASE_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15';

/** The database of worker `worker` (1, 2, …): the base name with the worker's number. */
export function testDatabaseUrl(worker) {
  const url = new URL(BASE_DATABASE_URL);
  url.pathname = `${url.pathname}_${worker}`;
  return url.toString();
}

/** The Redis database of worker `worker`: the base one for worker 1, the one below it for worker 2, … */
export function testRedisUrl(worker) {
  const url = new URL(BASE_REDIS_URL);
  const base = Number(url.pathname.slice(1) || 0);
  if (base - (worker - 1) < 0) throw new Error(`${BASE_REDIS_URL} leaves no Redis database for worker ${worker}`);
  url.pathname = `/${base - (worker - 1)}`;
  return url.toString();
}
