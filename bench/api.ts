// HTTP API benchmark (not a test), the part of `npm run bench` that drives the API:
//
// Starts the production build as `npm start` does (`node <its flags> .bench-build/src/main.js`, APP_ROLE=all)
// on a fresh database and Redis db, seeds it through the API (organizations, customers, 3-line invoices with
// Idempotency-Keys, half of them finalized, their PDFs rendered before anything is measured), and starts the
// raw floors (bench/floor-server.ts) on the same database. Then, with autocannon (BENCH_CONNECTIONS connections,
// BENCH_DURATION_S seconds each after a 2 s warm-up), each scenario next to its floor:
//   framework  GET /health/live                          vs a fixed 1 KB JSON from node:http
//   get        GET /v1/invoices/:id                      vs SELECT one row by id, as JSON
//   list       GET /v1/invoices?status=open&limit=50     vs the 50 newest rows with that status (keyset)
//   create     POST /v1/invoices (3 lines, Idempotency-Key; lines, event and key in one transaction)
//                                                         vs one INSERT in a transaction
//   login      POST /v1/auth/login (argon2id; a new session and refresh token)
//                                                         vs the hash by email and one argon2id verify
// Login is throttled per IP and per email: the app runs with TRUST_PROXY=true and every request comes
// "from" another X-Forwarded-For address, as many users, 1 try each per ~10 s.
// The scale run then grows the invoices table with SQL to BENCH_SCALE_SMALL and BENCH_SCALE_LARGE rows
// (10 organizations, 3 lines each) and measures get and list latency at both sizes.
// Memory: the app's peak RSS during the load, and PSS of its whole tree (node + Chromium) at the end. Then,
// as production deploys them (DESIGN: the roles scale separately), an APP_ROLE=api and an APP_ROLE=worker
// process on the same data: the worker's tree PSS while it renders the seeded drafts' PDFs, and the api's
// peak RSS under each scenario's load again (and its CPU per request, to weigh memory savings against).
// Results: bench/results/api-<timestamp>.json.
//
// Knobs (env): BENCH_PG_URL, BENCH_REDIS_URL (redis://127.0.0.1:6379/11), BENCH_CONNECTIONS (10),
// BENCH_DURATION_S (10), BENCH_INVOICES (400 seeded through the API), BENCH_LOGIN_USERS (150),
// BENCH_SCALE_SMALL (10000), BENCH_SCALE_LARGE (1000000; 0 skips the scale run), BENCH_SCENARIOS (e.g. get,list: only
// those), BENCH_APP_NODE_ARGS (the app's node flags, e.g. --cpu-prof --cpu-prof-dir=bench/results/profiles).
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort, processTree, startChild, startService, waitFor } from '../test/support/processes.js';
import {
  cpuMs,
  type LoadFigures,
  type LoadOptions,
  load,
  otherChromiumProcesses,
  peakOf,
  peakRss,
  pssMb,
  rssMb,
} from './load.js';
import {
  createScratchDatabase,
  dropScratchDatabase,
  flushRedis,
  resetThrottles,
  scratchDatabaseUrl,
} from './scratch-services.js';
import { growInvoices } from './scale-data.js';

const env = process.env;
const CONNECTIONS = Number(env.BENCH_CONNECTIONS ?? 10);
const DURATION_S = Number(env.BENCH_DURATION_S ?? 10);
const INVOICES = Number(env.BENCH_INVOICES ?? 400);
const LOGIN_USERS = Number(env.BENCH_LOGIN_USERS ?? 150);
const SCALE_SMALL = Number(env.BENCH_SCALE_SMALL ?? 10_000);
const SCALE_LARGE = Number(env.BENCH_SCALE_LARGE ?? 1_000_000);
const ONLY = env.BENCH_SCENARIOS?.split(',');
const REDIS_URL = env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/11';
const DATABASE = `invoicing_bench_api_${process.pid}`;
const DATABASE_URL = scratchDatabaseUrl(DATABASE);
const BUILD = join(dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS_DIR = join(BUILD, '../bench/results');
const PASSWORD = 'bench-password-1';
const OWNER_EMAIL = 'owner@bench.test';

const log = (line: string) => process.stdout.write(`${line}\n`);

/** A client "from" its own address, so the per-IP throttles see many users. */
let clientNumber = 0;
const nextClientIp = () => {
  clientNumber++;
  return `10.${(clientNumber >> 16) & 255}.${(clientNumber >> 8) & 255}.${clientNumber & 255}`;
};

class Api {
  constructor(readonly url: string) {}

  async call<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-forwarded-for': nextClientIp(), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return JSON.parse(text) as T;
  }
}

interface Seeded {
  token: string;
  organizationId: string;
  customerId: string;
  invoiceIds: string[];
  /** The seeded invoices left in draft: the separate worker renders their PDFs. */
  draftIds: string[];
  users: string[];
  /** When seeding ended: rows created later are the scenarios'. */
  seededAt: Date;
}

async function inBatches<T>(count: number, width: number, make: (index: number) => Promise<T>): Promise<T[]> {
  const made: T[] = [];
  for (let start = 0; start < count; start += width) {
    const batch = Array.from({ length: Math.min(width, count - start) }, (_, i) => make(start + i));
    made.push(...(await Promise.all(batch)));
  }
  return made;
}

export const threeLines = [
  { description: 'Consulting, October', quantity: 12.5, unitAmount: 9_500, taxRate: 20 },
  { description: 'Hosting, 12 months', quantity: 12, unitAmount: 4_900, taxRate: 20 },
  { description: 'Support retainer', quantity: 1, unitAmount: 250_000, discountPercent: 10 },
];

async function seed(api: Api): Promise<Seeded> {
  const owner = await api.call<{ accessToken: string; organization: { id: string } }>(
    'POST',
    '/v1/auth/signup',
    { email: OWNER_EMAIL, password: PASSWORD, name: 'Bench Owner', organizationName: 'Bench Co' },
  );
  const auth = { authorization: `Bearer ${owner.accessToken}` };
  const customers = await inBatches(5, 5, (i) =>
    api.call<{ id: string }>(
      'POST',
      '/v1/customers',
      { name: `Customer ${i}`, email: `c${i}@bench.test` },
      auth,
    ),
  );
  const invoices = await inBatches(INVOICES, 8, (i) =>
    api.call<{ id: string }>(
      'POST',
      '/v1/invoices',
      { customerId: customers[i % customers.length].id, currency: 'USD', lineItems: threeLines },
      { ...auth, 'idempotency-key': randomUUID() },
    ),
  );
  // Half are issued: the list's status filter then picks half, and their PDFs are rendered.
  await inBatches(INVOICES / 2, 8, (i) =>
    api.call('POST', `/v1/invoices/${invoices[i * 2].id}/finalize`, {}, auth),
  );
  const users = await inBatches(LOGIN_USERS, 8, async (i) => {
    const email = `user${i}@bench.test`;
    await api.call('POST', '/v1/auth/signup', {
      email,
      password: PASSWORD,
      name: `User ${i}`,
      organizationName: `Org ${i}`,
    });
    return email;
  });
  return {
    token: owner.accessToken,
    organizationId: owner.organization.id,
    customerId: customers[0].id,
    invoiceIds: invoices.map((invoice) => invoice.id),
    draftIds: invoices.filter((_, i) => i % 2 === 1).map((invoice) => invoice.id),
    users,
    seededAt: new Date(),
  };
}

/** Waits until the worker has rendered every issued invoice's PDF, so no render runs while we measure. */
async function pdfsRendered(db: pg.Pool): Promise<number> {
  return waitFor(
    async () => {
      const { rows } = await db.query(
        `SELECT count(*) FILTER (WHERE pdf_status = 'pending')::int AS pending,
                count(*) FILTER (WHERE pdf_status = 'ready')::int AS ready FROM invoices`,
      );
      return rows[0].pending === 0 ? rows[0].ready : 0;
    },
    300_000,
    'the seeded PDFs to be rendered',
    500,
  );
}

interface Scenario {
  name: string;
  ours: LoadFigures;
  floor: LoadFigures;
  ratio: number;
  /** App (or floor) CPU per request, warm-up included: stable where throughput swings with the machine. */
  oursCpuUs: number;
  floorCpuUs: number;
  peakRssMb: number;
}

const cycle = <T>(items: T[]) => {
  let index = 0;
  return () => items[index++ % items.length];
};

const SCENARIOS = ['framework', 'get', 'list', 'create', 'login'] as const;
type ScenarioName = (typeof SCENARIOS)[number];
type Loads = Record<ScenarioName, LoadOptions>;

/** Our side of each scenario, against the app at `appUrl`. */
function ourLoads(appUrl: string, data: Seeded): Loads {
  const base = { url: appUrl, connections: CONNECTIONS, durationS: DURATION_S };
  const auth = { authorization: `Bearer ${data.token}` };
  const nextInvoice = cycle(data.invoiceIds);
  const nextUser = cycle(data.users);
  const createBody = JSON.stringify({ customerId: data.customerId, currency: 'USD', lineItems: threeLines });
  return {
    framework: { ...base, request: () => ({ path: '/health/live' }) },
    get: { ...base, headers: auth, request: () => ({ path: `/v1/invoices/${nextInvoice()}` }) },
    list: { ...base, headers: auth, request: () => ({ path: '/v1/invoices?status=open&limit=50' }) },
    create: {
      ...base,
      method: 'POST',
      headers: auth,
      request: () => ({
        path: '/v1/invoices',
        body: createBody,
        headers: { 'idempotency-key': randomUUID() },
      }),
    },
    login: {
      ...base,
      method: 'POST',
      request: () => ({
        path: '/v1/auth/login',
        body: JSON.stringify({ email: nextUser(), password: PASSWORD }),
        headers: { 'x-forwarded-for': nextClientIp() },
      }),
    },
  };
}

/** The floors' side of each scenario, against bench/floor-server.ts at `floorUrl`. */
function floorLoads(floorUrl: string, data: Seeded): Loads {
  const base = { url: floorUrl, connections: CONNECTIONS, durationS: DURATION_S };
  const nextInvoice = cycle(data.invoiceIds);
  const nextUser = cycle(data.users);
  const createBody = JSON.stringify({ customerId: data.customerId, currency: 'USD', lineItems: threeLines });
  return {
    framework: { ...base, request: () => ({ path: '/hello' }) },
    get: { ...base, request: () => ({ path: `/invoices/${nextInvoice()}` }) },
    list: { ...base, request: () => ({ path: '/invoices?status=open' }) },
    create: { ...base, method: 'POST', request: () => ({ path: '/invoices', body: createBody }) },
    login: {
      ...base,
      method: 'POST',
      request: () => ({ path: '/login', body: JSON.stringify({ email: nextUser(), password: PASSWORD }) }),
    },
  };
}

/** The scenarios BENCH_SCENARIOS selects, in order. */
const selected = SCENARIOS.filter((name) => !ONLY || ONLY.includes(name));

/** One load against our process `pid`: the figures, its CPU per request and its peak RSS meanwhile. */
async function measureOurs(pid: number, options: LoadOptions) {
  const cpuBefore = cpuMs(pid);
  const { result: figures, peakMb } = await peakRss(pid, () => load(options));
  return { figures, cpuUs: ((cpuMs(pid) - cpuBefore) * 1000) / figures.requests, peakMb };
}

async function scenarios(
  appUrl: string,
  floorUrl: string,
  pid: number,
  floorPid: number,
  data: Seeded,
): Promise<Scenario[]> {
  const loads = ourLoads(appUrl, data);
  const floors = floorLoads(floorUrl, data);
  const measured: Scenario[] = [];
  for (const name of selected) {
    const floorCpu = cpuMs(floorPid);
    const floor = await load(floors[name]);
    const floorCpuUs = ((cpuMs(floorPid) - floorCpu) * 1000) / floor.requests;
    const { figures: ours, cpuUs: oursCpuUs, peakMb } = await measureOurs(pid, loads[name]);
    const scenario = {
      name,
      ours,
      floor,
      ratio: ours.rps / floor.rps,
      oursCpuUs,
      floorCpuUs,
      peakRssMb: peakMb,
    };
    log(
      `  ${name.padEnd(9)} ours ${ours.rps.toFixed(0).padStart(6)}/s p50 ${ours.p50Ms} ms` +
        `  floor ${floor.rps.toFixed(0).padStart(6)}/s p50 ${floor.p50Ms} ms  ratio ${scenario.ratio.toFixed(2)}` +
        `  non-2xx ${ours.non2xx}/${floor.non2xx}  CPU/request ${oursCpuUs.toFixed(0)}/${floorCpuUs.toFixed(0)} µs` +
        `  bytes/response ${ours.bytesPerResponse}/${floor.bytesPerResponse}` +
        `  peak RSS ${peakMb.toFixed(0)} MB`,
    );
    measured.push(scenario);
  }
  return measured;
}

export interface ApiResults {
  scenarios: Scenario[];
  scale: ScalePoint[];
  /** The APP_ROLE=all process (API and workers in one), and the roles in their own processes. */
  memory: {
    apiRssIdleMb: number;
    apiRssPeakMb: number;
    appTreePssMb: number;
    appTreeProcesses: number;
    roles?: RoleMemory;
  };
}

interface RoleMemory {
  /** APP_ROLE=api under each scenario's load. */
  api: { rssAtStartMb: number; rssPeakMb: number; scenarios: RoleScenario[] };
  /** APP_ROLE=worker rendering PDFs: PSS of its node process and its Chromium tree. */
  worker: { pssAtStartMb: number; pssPeakMb: number; processes: number; otherChromiumProcesses: number };
}

interface RoleScenario {
  name: ScenarioName;
  rps: number;
  cpuUs: number;
  peakRssMb: number;
}

/**
 * Memory of the roles as production deploys them, on the same data and the same loads once the APP_ROLE=all
 * process has stopped: a worker renders the PDFs of the seeded drafts (finalized through the api) while its
 * tree's PSS is sampled; then the api takes each scenario's load while its RSS is sampled.
 */
async function separateRoles(
  appEnv: NodeJS.ProcessEnv,
  nodeArgs: string[],
  db: pg.Pool,
  data: Seeded,
): Promise<RoleMemory> {
  const apiService = await startService(BUILD, { ...appEnv, APP_ROLE: 'api' }, nodeArgs);
  const worker = await startService(BUILD, { ...appEnv, APP_ROLE: 'worker' }, nodeArgs).catch(
    async (error: unknown) => {
      await apiService.stop('SIGTERM');
      throw error;
    },
  );
  try {
    const apiPid = apiService.process.pid!;
    const workerPid = worker.process.pid!;
    const rssAtStartMb = rssMb(apiPid);
    const pssAtStartMb = pssMb(processTree(workerPid));
    const api = new Api(apiService.url);
    const { accessToken } = await api.call<{ accessToken: string }>('POST', '/v1/auth/login', {
      email: OWNER_EMAIL,
      password: PASSWORD,
    });
    let processes = 0;
    const workerTreePss = () => {
      const tree = processTree(workerPid);
      processes = Math.max(processes, tree.length);
      return pssMb(tree);
    };
    const { peak: pssPeakMb } = await peakOf(
      workerTreePss,
      async () => {
        const auth = { authorization: `Bearer ${accessToken}` };
        await inBatches(data.draftIds.length, 8, (i) =>
          api.call('POST', `/v1/invoices/${data.draftIds[i]}/finalize`, {}, auth),
        );
        return pdfsRendered(db);
      },
      500,
    );
    const workerMemory = {
      pssAtStartMb,
      pssPeakMb,
      processes,
      otherChromiumProcesses: otherChromiumProcesses(processTree(workerPid)),
    };
    log(
      `  worker (APP_ROLE=worker): PSS at start ${pssAtStartMb.toFixed(0)} MB, peak rendering ${data.draftIds.length} PDFs ` +
        `${pssPeakMb.toFixed(0)} MB (${processes} processes; ${workerMemory.otherChromiumProcesses} other Chromium processes on the machine)`,
    );
    const loads = ourLoads(apiService.url, { ...data, token: accessToken });
    const scenarios: RoleScenario[] = [];
    for (const name of selected) {
      const { figures, cpuUs, peakMb } = await measureOurs(apiPid, loads[name]);
      scenarios.push({ name, rps: figures.rps, cpuUs, peakRssMb: peakMb });
      log(
        `  api (APP_ROLE=api) ${name.padEnd(9)} ${figures.rps.toFixed(0).padStart(6)}/s  non-2xx ${figures.non2xx}` +
          `  CPU/request ${cpuUs.toFixed(0)} µs  peak RSS ${peakMb.toFixed(0)} MB`,
      );
    }
    const rssPeakMb = Math.max(rssAtStartMb, ...scenarios.map((scenario) => scenario.peakRssMb));
    return { api: { rssAtStartMb, rssPeakMb, scenarios }, worker: workerMemory };
  } finally {
    await Promise.all([apiService.stop('SIGTERM', 30_000), worker.stop('SIGTERM', 30_000)]);
  }
}

interface ScalePoint {
  invoices: number;
  get: LoadFigures;
  list: LoadFigures;
}

/** Get and list latency with the table grown to each size (light load: 4 connections). */
async function scaleRun(appUrl: string, db: pg.Pool, data: Seeded): Promise<ScalePoint[]> {
  const points: ScalePoint[] = [];
  const nextInvoice = cycle(data.invoiceIds);
  const auth = { authorization: `Bearer ${data.token}` };
  for (const size of [SCALE_SMALL, SCALE_LARGE]) {
    const started = performance.now();
    await growInvoices(db, data.organizationId, size);
    log(`  table grown to ${size} invoices in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    const base = { url: appUrl, headers: auth, connections: 4, durationS: DURATION_S };
    const get = await load({ ...base, request: () => ({ path: `/v1/invoices/${nextInvoice()}` }) });
    const list = await load({ ...base, request: () => ({ path: '/v1/invoices?status=open&limit=50' }) });
    log(
      `  ${size} invoices: get p50 ${get.p50Ms} ms (${get.rps.toFixed(0)}/s), list p50 ${list.p50Ms} ms (${list.rps.toFixed(0)}/s)`,
    );
    points.push({ invoices: size, get, list });
  }
  return points;
}

async function main(): Promise<void> {
  const startedAt = new Date();
  log(`api bench: ${DATABASE}, ${REDIS_URL}, ${CONNECTIONS} connections × ${DURATION_S} s`);
  await createScratchDatabase(DATABASE);
  await flushRedis(REDIS_URL);
  const db = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
  const appEnv = {
    NODE_ENV: 'production',
    DATABASE_URL,
    REDIS_URL,
    JWT_SECRET: randomUUID() + randomUUID(),
    TRUST_PROXY: 'true',
    LOG_LEVEL: env.LOG_LEVEL ?? 'log',
    CHROMIUM_PATH: env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  };
  const nodeArgs = (env.BENCH_APP_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const app = await startService(BUILD, { ...appEnv, APP_ROLE: 'all' }, nodeArgs).catch(
    async (error: unknown) => {
      // Nothing else started yet: leave no database behind.
      await db.end();
      await dropScratchDatabase(DATABASE);
      throw error;
    },
  );
  const floorPort = await freePort();
  let floor: ReturnType<typeof startChild> | undefined;
  try {
    const api = new Api(app.url);
    const seeded = await seed(api);
    log(
      `seeded ${seeded.invoiceIds.length} invoices and ${seeded.users.length} users; ${await pdfsRendered(db)} PDFs rendered`,
    );
    floor = startChild('node', [join(BUILD, 'bench/floor-server.js')], {
      PATH: env.PATH,
      PORT: String(floorPort),
      DATABASE_URL,
      FLOOR_ORGANIZATION_ID: seeded.organizationId,
      FLOOR_CUSTOMER_ID: seeded.customerId,
    });
    await waitFor(() => floor!.output().includes('floor listening'), 10_000, 'the floor server');
    const appPid = app.process.pid!;
    const rssIdleMb = rssMb(appPid);
    const measured = await scenarios(
      app.url,
      `http://127.0.0.1:${floorPort}`,
      appPid,
      floor.process.pid!,
      seeded,
    );
    await floor.stop('SIGTERM');
    // A fresh token: the scale run outlasts an access token's 15 minutes.
    seeded.token = (
      await api.call<{ accessToken: string }>('POST', '/v1/auth/login', {
        email: OWNER_EMAIL,
        password: PASSWORD,
      })
    ).accessToken;
    // The create scenarios (ours and the floor's) left thousands of drafts newest of all: the scale run
    // measures the seeded data, so they go first.
    await db.query('DELETE FROM invoices WHERE created_at > $1', [seeded.seededAt]);
    const scale = SCALE_LARGE > 0 ? await scaleRun(app.url, db, seeded) : [];
    const tree = processTree(appPid);
    const allMemory = {
      apiRssIdleMb: rssIdleMb,
      apiRssPeakMb: Math.max(...measured.map((scenario) => scenario.peakRssMb)),
      appTreePssMb: pssMb(tree),
      appTreeProcesses: tree.length,
    };
    log(
      `memory (APP_ROLE=all): app RSS idle ${rssIdleMb.toFixed(0)} MB, peak ${allMemory.apiRssPeakMb.toFixed(0)} MB; app + Chromium PSS ${allMemory.appTreePssMb.toFixed(0)} MB`,
    );
    await app.stop('SIGTERM', 30_000);
    // The login scenario runs again: each user's attempts start anew, as they would 15 minutes later.
    await resetThrottles(REDIS_URL);
    const roles = await separateRoles(appEnv, nodeArgs, db, seeded);
    const results: ApiResults & { at: string } & Record<string, unknown> = {
      at: startedAt.toISOString(),
      machine: {
        cpus: os.cpus().length,
        cpu: os.cpus()[0]?.model,
        node: process.version,
        loadAverage: os.loadavg(),
      },
      settings: { connections: CONNECTIONS, durationS: DURATION_S, seededInvoices: INVOICES },
      scenarios: measured,
      scale,
      memory: { ...allMemory, roles },
    };
    mkdirSync(RESULTS_DIR, { recursive: true });
    const file = join(RESULTS_DIR, `api-${results.at.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    log(
      `memory (separate roles): api RSS at start ${roles.api.rssAtStartMb.toFixed(0)} MB, peak ${roles.api.rssPeakMb.toFixed(0)} MB; ` +
        `worker + Chromium PSS peak ${roles.worker.pssPeakMb.toFixed(0)} MB`,
    );
    log(`results: ${file}`);
  } finally {
    await floor?.stop('SIGTERM');
    await app.stop('SIGTERM', 30_000);
    await db.end();
    await dropScratchDatabase(DATABASE);
    await flushRedis(REDIS_URL);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
