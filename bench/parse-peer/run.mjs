// Parse Server peer for `npm run bench` (issue 8): the same invoice workload as our API, served by
// Parse Server 9.10 on the same machine and the same PostgreSQL, measured with autocannon.
//
//   npm --prefix bench/parse-peer ci && node bench/parse-peer/run.mjs
//
// Progress goes to stderr; the LAST line of stdout is one JSON object with the results.
// Env (all optional):
//   PARSE_BENCH_PG           postgres://postgres@127.0.0.1:5432   server to create the bench database on
//   PARSE_BENCH_INVOICES     2000   invoices seeded, spread evenly over PARSE_BENCH_ORGS
//   PARSE_BENCH_ORGS         4      organizations (one Parse Role each)
//   PARSE_BENCH_CONNECTIONS  10     autocannon connections
//   PARSE_BENCH_DURATION_S   10     measured seconds per scenario (after a discarded warm-up)
//   PARSE_BENCH_WARMUP_S     2      warm-up seconds per scenario
//   PARSE_BENCH_POOL         20     Parse's pg pool size (the service's TypeORM pool is 20 too)
//   PARSE_BENCH_TIMEOUT_S    300    hard bound on the whole run; the database is dropped either way
//   PARSE_BENCH_KEEP_DB      unset  set to 1 to keep the database (debugging)
//   PARSE_BENCH_NO_INDEXES   unset  set to 1 to measure Parse without the added indexes
//   PARSE_BENCH_LOG_SQL      unset  set to 1 to log every statement of the bench database in the
//                                   PostgreSQL server log (ALTER DATABASE ... log_min_duration_statement = 0)
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import pg from 'pg';
import autocannon from 'autocannon';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

function intEnv(name, def) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got ${raw}`);
  return n;
}

const PG_BASE = process.env.PARSE_BENCH_PG || 'postgres://postgres@127.0.0.1:5432';
const INVOICES = intEnv('PARSE_BENCH_INVOICES', 2000);
const ORGS = Math.max(1, intEnv('PARSE_BENCH_ORGS', 4));
const CONNECTIONS = Math.max(1, intEnv('PARSE_BENCH_CONNECTIONS', 10));
const DURATION_S = intEnv('PARSE_BENCH_DURATION_S', 10);
const WARMUP_S = intEnv('PARSE_BENCH_WARMUP_S', 2);
const POOL = Math.max(1, intEnv('PARSE_BENCH_POOL', 20));
const TIMEOUT_S = intEnv('PARSE_BENCH_TIMEOUT_S', 300);
const KEEP_DB = process.env.PARSE_BENCH_KEEP_DB === '1';
const NO_INDEXES = process.env.PARSE_BENCH_NO_INDEXES === '1';
const LOG_SQL = process.env.PARSE_BENCH_LOG_SQL === '1';

const APP_ID = 'bench';
const MASTER_KEY = `bench-master-${process.pid}-${Date.now()}`;
const PASSWORD = 'bench-password-1';
const DB_NAME = `parse_bench_${process.pid}`;
const PARSE_VERSION = require('parse-server/package.json').version;

const log = (...args) => console.error('[parse-peer]', ...args);

function dbUrl(database, params = {}) {
  const url = new URL(PG_BASE);
  url.pathname = `/${database}`;
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, String(v));
  return url.toString();
}

// ---------------------------------------------------------------------------------------------
// Lifecycle: database, child process, time bound, cleanup.

let child;
let deprecationNotices = 0;
let currentRun;
let dbCreated = false;
let cleaning;

async function adminQuery(sql) {
  const client = new pg.Client({ connectionString: dbUrl('postgres') });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

async function stopChild() {
  const c = child;
  if (!c || c.exitCode !== null || c.signalCode !== null) return;
  const exited = new Promise((resolve) => c.once('exit', resolve));
  c.kill('SIGTERM');
  const timer = setTimeout(() => c.kill('SIGKILL'), 4000);
  await exited;
  clearTimeout(timer);
}

function cleanup() {
  cleaning ??= (async () => {
    try {
      currentRun?.stop();
    } catch (_err) {
      /* already stopped */
    }
    await stopChild().catch((err) => log('stopping Parse Server failed:', err.message));
    if (dbCreated && !KEEP_DB) {
      await adminQuery(`DROP DATABASE IF EXISTS "${DB_NAME}" WITH (FORCE)`)
        .then(() => log(`dropped database ${DB_NAME}`))
        .catch((err) => log(`dropping database ${DB_NAME} failed:`, err.message));
    }
  })();
  return cleaning;
}

// What is known so far, printed (with an "error") as the last stdout line if the run fails.
const partial = { scenarios: {}, invoices: 0 };
let failing = false;

async function fail(message, code = 1) {
  if (failing) return;
  failing = true;
  log(message);
  await cleanup();
  const firstLine = String(message).split('\n')[0];
  const out = { engine: 'parse-server', version: PARSE_VERSION, error: firstLine, ...partial };
  process.stdout.write(`${JSON.stringify(out)}\n`);
  process.exit(code);
}

const deadline = setTimeout(() => void fail(`timed out after ${TIMEOUT_S} s`, 124), TIMEOUT_S * 1000);
deadline.unref();
process.on('SIGINT', () => void fail('interrupted', 130));
process.on('SIGTERM', () => void fail('terminated', 143));

function startParse() {
  return new Promise((resolve, reject) => {
    child = fork(path.join(here, 'server.mjs'), [], {
      cwd: here,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: {
        ...process.env,
        NODE_ENV: 'production',
        // Parse's pre-config default logger would otherwise write its startup notices to ./logs.
        PARSE_SERVER_LOGS_FOLDER: 'null',
        PARSE_PEER_DB_URI: dbUrl(DB_NAME, { max: POOL }),
        PARSE_PEER_APP_ID: APP_ID,
        PARSE_PEER_MASTER_KEY: MASTER_KEY,
      },
    });
    // Relay the server's output to stderr, less the startup notices about option defaults that will
    // change in later Parse versions (one line each, counted instead).
    for (const stream of [child.stdout, child.stderr]) {
      readline.createInterface({ input: stream }).on('line', (line) => {
        if (line.includes('DeprecationWarning: The Parse Server option')) deprecationNotices++;
        else process.stderr.write(`[parse-server] ${line}\n`);
      });
    }
    const timer = setTimeout(() => reject(new Error('Parse Server did not start within 60 s')), 60_000);
    child.once('message', (msg) => {
      clearTimeout(timer);
      if (msg?.type === 'ready') resolve(msg.port);
      else reject(new Error(`unexpected message from Parse Server: ${JSON.stringify(msg)}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`Parse Server exited early (code ${code}, signal ${signal})`));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// REST client for setup (undici keeps connections alive).

let BASE;

async function api(method, route, body, { master = false, session } = {}) {
  const headers = { 'X-Parse-Application-Id': APP_ID, 'Content-Type': 'application/json' };
  if (master) headers['X-Parse-Master-Key'] = MASTER_KEY;
  if (session) headers['X-Parse-Session-Token'] = session;
  const res = await fetch(`${BASE}${route}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${route} -> ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

// ---------------------------------------------------------------------------------------------
// Data model: one Role per organization; Customer and Invoice objects carry an ACL granting read and
// write to that role only (no public access), and the classes require an authenticated user.

const authOnly = { requiresAuthentication: true };
const CLP = {
  find: authOnly,
  count: authOnly,
  get: authOnly,
  create: authOnly,
  update: authOnly,
  delete: authOnly,
  addField: {},
  protectedFields: { '*': [] },
};

const STATUSES_NOT_OPEN = ['draft', 'paid', 'void'];
const statusFor = (i) => (i % 2 === 0 ? 'open' : STATUSES_NOT_OPEN[((i - 1) / 2) % 3]);
const orgAcl = (org) => ({ [`role:org_${org}`]: { read: true, write: true } });
const pointer = (className, objectId) => ({ __type: 'Pointer', className, objectId });
const parseDate = (d) => ({ __type: 'Date', iso: d.toISOString() });

function invoiceBody(org, customerId, seq) {
  const lines = [
    { description: 'Design work', quantity: 1 + (seq % 5), unitAmount: 12_000, taxRate: 20 },
    { description: 'Hosting (monthly)', quantity: 1, unitAmount: 2_500, taxRate: 20 },
    { description: 'Support hours', quantity: 2 + (seq % 3), unitAmount: 8_000, taxRate: 10 },
  ];
  let subtotal = 0;
  let tax = 0;
  for (const l of lines) {
    const net = l.quantity * l.unitAmount;
    subtotal += net;
    tax += Math.round((net * l.taxRate) / 100);
  }
  const issue = new Date(Date.UTC(2026, 0, 1) + (seq % 300) * 86_400_000);
  const status = statusFor(seq);
  return {
    number: `ORG${org}-${String(seq).padStart(6, '0')}`,
    status,
    currency: 'EUR',
    customer: pointer('Customer', customerId),
    lines,
    subtotal,
    tax,
    total: subtotal + tax,
    amountDue: status === 'paid' || status === 'void' ? 0 : subtotal + tax,
    issueDate: parseDate(issue),
    dueDate: parseDate(new Date(issue.getTime() + 30 * 86_400_000)),
    ACL: orgAcl(org),
  };
}

async function createSchema() {
  await api(
    'POST',
    '/schemas/Customer',
    {
      className: 'Customer',
      fields: { name: { type: 'String' }, email: { type: 'String' } },
      classLevelPermissions: CLP,
    },
    { master: true },
  );
  await api(
    'POST',
    '/schemas/Invoice',
    {
      className: 'Invoice',
      fields: {
        number: { type: 'String' },
        status: { type: 'String' },
        currency: { type: 'String' },
        customer: { type: 'Pointer', targetClass: 'Customer' },
        lines: { type: 'Array' },
        subtotal: { type: 'Number' },
        tax: { type: 'Number' },
        total: { type: 'Number' },
        amountDue: { type: 'Number' },
        issueDate: { type: 'Date' },
        dueDate: { type: 'Date' },
      },
      classLevelPermissions: CLP,
    },
    { master: true },
  );
}

async function batch(requests) {
  const out = await api('POST', '/batch', { requests }, { master: true });
  const failed = out.filter((r) => !r.success);
  if (failed.length) throw new Error(`batch: ${failed.length} failed, first: ${JSON.stringify(failed[0])}`);
  return out.map((r) => r.success);
}

async function seed() {
  const orgs = [];
  for (let org = 0; org < ORGS; org++) {
    const username = `org${org}-owner`;
    const user = await api('POST', '/users', {
      username,
      password: PASSWORD,
      email: `${username}@bench.test`,
    });
    await api(
      'POST',
      '/roles',
      {
        name: `org_${org}`,
        ACL: { [`role:org_${org}`]: { read: true } },
        users: { __op: 'AddRelation', objects: [pointer('_User', user.objectId)] },
      },
      { master: true },
    );
    const customer = await api(
      'POST',
      '/classes/Customer',
      { name: `Customer of org ${org}`, email: `billing${org}@customer.test`, ACL: orgAcl(org) },
      { master: true },
    );
    orgs.push({ org, username, userId: user.objectId, customerId: customer.objectId, invoiceIds: [] });
  }

  const BATCH = 50;
  const jobs = [];
  for (let i = 0; i < INVOICES; i++) {
    const o = orgs[i % ORGS];
    jobs.push({ o, body: invoiceBody(o.org, o.customerId, Math.floor(i / ORGS)) });
  }
  for (let start = 0; start < jobs.length; start += BATCH * 2) {
    const chunks = [jobs.slice(start, start + BATCH), jobs.slice(start + BATCH, start + 2 * BATCH)].filter(
      (c) => c.length,
    );
    await Promise.all(
      chunks.map(async (chunk) => {
        const res = await batch(
          chunk.map((j) => ({ method: 'POST', path: '/parse/classes/Invoice', body: j.body })),
        );
        res.forEach((r, k) => chunk[k].o.invoiceIds.push(r.objectId));
      }),
    );
  }
  return orgs;
}

// ---------------------------------------------------------------------------------------------
// Indexes. Parse's Postgres adapter creates the primary keys ("objectId", which serves get by id),
// _User indexes (username/email, unique and lower(): login; two token columns) and _Role.name.
// Found from the SQL that Parse issues for the measured requests (PARSE_BENCH_LOG_SQL=1) and EXPLAIN:
const INDEXES = [
  // Session lookup of every authenticated request whose token is not in Parse's 5 s in-memory cache:
  //   SELECT * FROM "_Session" WHERE "sessionToken" = $1 LIMIT 1
  // (the login scenario adds a _Session row per request, so without it this becomes a growing seq scan).
  'CREATE UNIQUE INDEX "_Session_sessionToken" ON "_Session" ("sessionToken")',
  // List: WHERE "status" = 'open' AND ("_rperm" IS NULL OR "_rperm" && ARRAY[...]) ORDER BY "createdAt" DESC
  // LIMIT 50 becomes an index scan that stops after 50 visible rows, instead of seq scan + sort.
  // (A GIN index on "_rperm" is never chosen: the "_rperm" IS NULL branch of Parse's ACL filter keeps
  // the planner from using it, so it is not added.)
  'CREATE INDEX "Invoice_status_createdAt" ON "Invoice" ("status", "createdAt" DESC)',
  // The customer pointer (the service indexes its customer foreign key too): same write cost on create.
  'CREATE INDEX "Invoice_customer" ON "Invoice" ("customer")',
];

async function addIndexes() {
  const client = new pg.Client({ connectionString: dbUrl(DB_NAME) });
  await client.connect();
  try {
    for (const ddl of INDEXES) await client.query(ddl);
    await client.query('ANALYZE');
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Measurement.

function runCannon(opts) {
  return new Promise((resolve, reject) => {
    currentRun = autocannon(opts, (err, result) => {
      currentRun = undefined;
      if (err) reject(err);
      else resolve(result);
    });
  });
}

// One scenario: `next()` gives {method, path, body?} for each request (autocannon's setupRequest),
// so ids and invoice numbers vary from request to request.
async function scenario(name, headers, next) {
  const opts = {
    url: BASE.replace(/\/parse$/, ''),
    connections: CONNECTIONS,
    timeout: 10,
    headers,
    requests: [{ setupRequest: (req) => ({ ...req, ...next() }) }],
  };
  if (WARMUP_S > 0) {
    log(`${name}: warm-up ${WARMUP_S} s`);
    await runCannon({ ...opts, duration: WARMUP_S });
  }
  if (failing) throw new Error('aborted');
  log(`${name}: measuring ${DURATION_S} s with ${CONNECTIONS} connections`);
  const r = await runCannon({ ...opts, duration: DURATION_S });
  if (failing) throw new Error('aborted');
  const out = {
    rps: Math.round((r.requests.total / r.duration) * 10) / 10,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    errors: r.errors + r.non2xx,
    non2xx: r.non2xx,
    requests: r.requests.total,
    socketErrors: r.errors,
    timeouts: r.timeouts,
  };
  log(`${name}: ${JSON.stringify(out)}`);
  if (out.errors > 0) {
    // Show what a failing request answers, so that an error count is never a mystery.
    const { method, path: p, body } = next();
    const res = await fetch(`${opts.url}${p}`, { method, headers, body }).catch((err) => err);
    const detail = res instanceof Error ? res.message : `${res.status} ${(await res.text()).slice(0, 300)}`;
    log(`${name}: one more request for diagnosis answered ${detail}`);
  }
  return out;
}

// Other work on the machine skews the figures: the 1-minute load average is reported with them.
const load1 = () => Math.round(os.loadavg()[0] * 100) / 100;
const loadAtStart = load1();

async function main() {
  log(`parse-server ${PARSE_VERSION}, node ${process.version}, database ${DB_NAME}`);
  await adminQuery(`CREATE DATABASE "${DB_NAME}"`);
  dbCreated = true;
  if (LOG_SQL) await adminQuery(`ALTER DATABASE "${DB_NAME}" SET log_min_duration_statement = 0`);

  const port = await startParse();
  BASE = `http://127.0.0.1:${port}/parse`;
  log(`Parse Server ready on ${BASE} (${deprecationNotices} option-default deprecation notices not shown)`);

  await createSchema();
  const t0 = Date.now();
  const orgs = await seed();
  const seeded = orgs.reduce((n, o) => n + o.invoiceIds.length, 0);
  partial.invoices = seeded;
  log(`seeded ${ORGS} orgs, ${seeded} invoices in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (NO_INDEXES) log('PARSE_BENCH_NO_INDEXES=1: no index added');
  else {
    await addIndexes();
    log(`added ${INDEXES.length} indexes`);
  }

  const me = orgs[0];
  const login = await api('POST', '/login', { username: me.username, password: PASSWORD });
  const session = login.sessionToken;
  const headers = {
    'X-Parse-Application-Id': APP_ID,
    'X-Parse-Session-Token': session,
    'Content-Type': 'application/json',
  };

  // Sanity: the session sees its org's invoices and only those.
  const where = encodeURIComponent(JSON.stringify({ status: 'open' }));
  const listPath = `/parse/classes/Invoice?where=${where}&order=-createdAt&limit=50`;
  const probe = await api('GET', `/classes/Invoice?where=${where}&limit=1000&count=1`, undefined, {
    session,
  });
  const openOfOrg = me.invoiceIds.length / 2;
  log(`session sees ${probe.count} open invoices (org has ~${openOfOrg}, all orgs ${seeded})`);
  if (probe.results.some((inv) => !inv.number.startsWith(`ORG${me.org}-`))) throw new Error('ACL leak');
  if (!probe.count) throw new Error('the list under the session is empty');

  const ids = me.invoiceIds;
  let nextId = 0;
  let nextNumber = 0;
  const scenarios = partial.scenarios;

  scenarios.get = await scenario('get', headers, () => ({
    method: 'GET',
    path: `/parse/classes/Invoice/${ids[nextId++ % ids.length]}`,
  }));

  scenarios.list = await scenario('list', headers, () => ({ method: 'GET', path: listPath }));

  scenarios.create = await scenario('create', headers, () => ({
    method: 'POST',
    path: '/parse/classes/Invoice',
    body: JSON.stringify(invoiceBody(me.org, me.customerId, 1_000_000 + nextNumber++)),
  }));

  const loginBody = JSON.stringify({ username: me.username, password: PASSWORD });
  const loginHeaders = { 'X-Parse-Application-Id': APP_ID, 'Content-Type': 'application/json' };
  scenarios.login = await scenario('login', loginHeaders, () => ({
    method: 'POST',
    path: '/parse/login',
    body: loginBody,
  }));

  for (const [name, s] of Object.entries(scenarios)) {
    if (s.errors > 0) log(`WARNING: scenario ${name} had ${s.errors} errors (${s.non2xx} non-2xx)`);
    if (s.requests === 0) log(`WARNING: scenario ${name} completed no request in ${DURATION_S} s`);
  }

  const result = {
    engine: 'parse-server',
    version: PARSE_VERSION,
    node: process.version,
    connections: CONNECTIONS,
    durationS: DURATION_S,
    cpus: os.cpus().length,
    loadAvg1m: { start: loadAtStart, end: load1() },
    scenarios,
    invoices: seeded,
    orgs: ORGS,
    indexes: NO_INDEXES ? [] : INDEXES,
  };
  await cleanup();
  clearTimeout(deadline);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (err) => void fail(`failed: ${err?.stack ?? err}`),
);
