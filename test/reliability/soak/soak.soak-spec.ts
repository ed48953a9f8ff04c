import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Queue } from 'bullmq';
import pg from 'pg';
import request from 'supertest';
import { MAINTENANCE_JOBS, MAINTENANCE_QUEUE } from '../../../src/scheduler/maintenance.producer.js';
import { signUpOwner } from '../../support/factories.js';
import { createPrivateDatabase, type PrivateDatabase } from '../../support/private-database.js';
import {
  type Child,
  chromiumChildrenOf,
  compileProduction,
  freePort,
  type Service,
  startRedisServer,
  startService,
  waitFor,
} from '../../support/processes.js';
import { serviceEnvironment } from '../../support/service-environment.js';
import { Receiver } from '../../support/webhook-receiver.js';
import { checkLedger, formatLedger, type LedgerReport, type ReceiverRecord } from '../ledger.js';
import { report, sleep, subscribe } from '../scenario.js';
import { flatness, type MemorySample, memoryNow } from './memory-samples.js';
import { type QueueDepth, QueueDepths } from './queue-depths.js';
import { type RequestFigures, RequestLog } from './request-log.js';
import { Sampler } from './sampler.js';
import { SoakClient } from './soak-client.js';

/**
 * The soak (`npm run soak`, never part of `npm test`): SOAK_MINUTES (10) of mixed traffic from SOAK_CLIENTS (4)
 * clients, each the owner of an organization with a webhook receiver that verifies every signature, against
 * the production build run as production runs it: one APP_ROLE=api and one APP_ROLE=worker process, on a
 * database and a redis-server of their own. At 40 % of the time Redis is killed and restarted empty; at 60 % the
 * worker is killed -9 and started again. Then the traffic stops, the pipeline drains, and the ledger must be
 * clean. The figures go to test/reliability/results/soak-<time>.json and a summary is printed.
 */

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const CLIENTS = Number(process.env.SOAK_CLIENTS ?? 4);
/** Each client's pause between steps: a steady load, not the most the machine can take. */
const PAUSE_MS = Number(process.env.SOAK_PAUSE_MS ?? 50);
const SAMPLE_EVERY_MS = 30_000;
const REDIS_AT = 0.4;
const WORKER_AT = 0.6;
/** How long each process stays down. */
const DOWN_MS = 5_000;
/** The drain gets as long as the slowest takeover needs: a render whose job Redis lost is handed over after 60 s. */
const DRAIN_TIMEOUT_MS = 10 * 60_000;
const RESULTS = path.join(process.cwd(), 'test/reliability/results');

describe('the soak', () => {
  const BUILD = path.join(process.cwd(), '.build-soak');
  let database: PrivateDatabase;
  let redisPort: number;
  let redis: Child;
  let api: Service;
  let worker: Service;
  const workers: Service[] = [];
  const receivers: Receiver[] = [];
  let db: pg.Client;

  const environment = (role: 'api' | 'worker') =>
    serviceEnvironment(role, database.url, `redis://127.0.0.1:${redisPort}`, {
      // Retries a few seconds apart (production waits 5 s, then 5 min): an attempt lost to a fault is made
      // again within the drain.
      WEBHOOK_RETRY_SCHEDULE: '2,5,10,30,60',
    });

  const startWorker = async () => {
    worker = await startService(BUILD, environment('worker'));
    workers.push(worker);
  };

  beforeAll(async () => {
    redisPort = await freePort();
    [redis, database] = await Promise.all([
      startRedisServer(redisPort),
      createPrivateDatabase('soak'),
      compileProduction(BUILD),
    ]);
    api = await startService(BUILD, environment('api'));
    await startWorker();
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
  }, 300_000);

  afterAll(async () => {
    await db?.end();
    await Promise.all([api, ...workers].map((service) => service?.stop('SIGTERM', 25_000)));
    await Promise.all(receivers.map((receiver) => receiver.close()));
    await redis?.stop();
    await database?.drop();
    await rm(BUILD, { recursive: true, force: true });
  }, 120_000);

  /** Polls a process's readiness until it answers 200; answers when that was. */
  const readyAgain = (service: Service) =>
    waitFor(
      async () =>
        (await fetch(`${service.url}/health/ready`).catch(() => null))?.status === 200 && Date.now(),
      120_000,
      `${service.url} to be ready`,
      200,
    );

  /** Kills Redis, leaves it down DOWN_MS, starts an empty one on its port; the outage lasts until the api is ready. */
  async function restartRedisEmpty(log: RequestLog) {
    const killedAt = Date.now();
    log.outageStarted(killedAt);
    await redis.stop('SIGKILL');
    await sleep(DOWN_MS);
    redis = await startRedisServer(redisPort);
    const restartedAt = Date.now();
    const [apiReadyAt, workerReadyAt] = await Promise.all([readyAgain(api), readyAgain(worker)]);
    log.outageEnded(apiReadyAt);
    const schedulersBackAt = await maintenanceScheduled();
    return {
      downMs: restartedAt - killedAt,
      apiReadyAfterRestartMs: apiReadyAt - restartedAt,
      workerReadyAfterRestartMs: workerReadyAt - restartedAt,
      maintenanceSchedulersBackAfterRestartMs: schedulersBackAt - restartedAt,
    };
  }

  /** When every maintenance job has its scheduler in Redis (the worker registers them again after it came back empty). */
  async function maintenanceScheduled(): Promise<number> {
    const queue = new Queue(MAINTENANCE_QUEUE, { connection: { url: `redis://127.0.0.1:${redisPort}` } });
    try {
      const names = Object.keys(MAINTENANCE_JOBS);
      return await waitFor(
        async () => (await queue.getJobSchedulers()).length === names.length && Date.now(),
        60_000,
        'the maintenance schedulers to be registered again',
        200,
      );
    } finally {
      await queue.close();
    }
  }

  /** Kills the worker -9 mid-work, leaves it down DOWN_MS, starts another; which of its browsers outlived it. */
  async function killWorker() {
    const killed = worker;
    const browsers = await chromiumChildrenOf(killed.process.pid!);
    const killedAt = Date.now();
    await killed.stop('SIGKILL');
    await sleep(DOWN_MS);
    const browsersLeft = browsers.filter(isRunning);
    await startWorker();
    return {
      killedPid: killed.process.pid,
      browsersBefore: browsers.length,
      browsersLeft: browsersLeft.length,
      successorPid: worker.process.pid,
      successorListeningAfterMs: Date.now() - killedAt,
    };
  }

  it(
    `serves ${MINUTES} minutes of mixed traffic through a Redis restart and a worker kill; the ledger is clean`,
    async () => {
      const http = request(api.url);
      const log = new RequestLog();
      const records: ReceiverRecord[] = [];
      const clients = await Promise.all(
        Array.from({ length: CLIENTS }, async (_, i) => {
          const owner = await signUpOwner(http, `Soak ${i + 1}`);
          const receiver = await new Receiver().start();
          receivers.push(receiver);
          records.push({ endpointId: await subscribe(http, owner, receiver), received: receiver.received });
          return new SoakClient(api.url, owner.bearer, log);
        }),
      );
      const durationMs = MINUTES * 60_000;
      const startedAt = Date.now();
      const until = (share: number) => sleep(Math.max(0, startedAt + share * durationMs - Date.now()));
      const load = { start: os.loadavg()[0], end: 0 };
      const memory = new Sampler<MemorySample>().start(
        () => memoryNow(api.process.pid!, worker.process.pid!),
        SAMPLE_EVERY_MS,
      );
      const queues = new QueueDepths(`redis://127.0.0.1:${redisPort}`);
      const depths = new Sampler<QueueDepth>().start(() => queues.now(), SAMPLE_EVERY_MS);
      let running = true;
      const traffic = Promise.all(clients.map((client) => client.run(() => running, PAUSE_MS)));

      const faults = async () => {
        await until(REDIS_AT);
        const redisRestartedEmpty = { atS: secondsSince(startedAt), ...(await restartRedisEmpty(log)) };
        await until(WORKER_AT);
        const workerKilled = { atS: secondsSince(startedAt), ...(await killWorker()) };
        await until(1);
        return { redisRestartedEmpty, workerKilled };
      };
      // The traffic stops however the faults went.
      const injected = await faults().finally(async () => {
        running = false;
        await traffic;
        memory.stop();
        depths.stop();
        await queues.close();
      });
      load.end = os.loadavg()[0];

      const drainStarted = Date.now();
      const ledger = await checkLedger(db, {
        receivers: records,
        pdfsSettled: true,
        settleTimeoutMs: DRAIN_TIMEOUT_MS,
      });
      const drainMs = Date.now() - drainStarted;
      const requests = log.figures();
      const results = {
        finishedAt: new Date().toISOString(),
        minutes: MINUTES,
        clients: CLIENTS,
        pauseMs: PAUSE_MS,
        machine: { cpus: os.cpus().length, loadAverage1m: load },
        faults: injected,
        requests,
        drainMs,
        ledger,
        memory: memoryFigures(memory.samples),
        queued: { everyS: SAMPLE_EVERY_MS / 1000, samples: depths.samples },
      };
      const file = await writeResults(results);
      report(...summary(results, requests, ledger), `results: ${file}`);

      expect(ledger.violations).toEqual([]);
      expect(requests.unexpected).toEqual([]);
      expect(requests.serverErrors).toBe(0);
      expect(requests.replays.matched).toBe(requests.replays.sent);
      expect(injected.workerKilled.browsersLeft).toBe(0);
      expect(results.memory.verdicts.filter((verdict) => verdict.flat === false)).toEqual([]);
    },
    (MINUTES + 20) * 60_000,
  );
});

const secondsSince = (at: number) => Math.round((Date.now() - at) / 1000);

/** Whether a process runs (a browser the killed worker left behind, reparented). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Each process's series and whether it stayed flat: the api's RSS, and each worker's RSS and tree PSS. */
function memoryFigures(samples: MemorySample[]) {
  const workerPids = [...new Set(samples.map((sample) => sample.workerPid))];
  const verdicts = [
    { series: 'api RSS', ...flatness(samples.map((sample) => sample.apiRssMb)) },
    ...workerPids.flatMap((pid, i) => {
      const own = samples.filter((sample) => sample.workerPid === pid);
      const name = `worker ${i + 1} (pid ${pid})`;
      return [
        { series: `${name} RSS`, ...flatness(own.map((sample) => sample.workerRssMb)) },
        { series: `${name} tree PSS`, ...flatness(own.map((sample) => sample.workerTreePssMb)) },
      ];
    }),
  ];
  return { everyS: SAMPLE_EVERY_MS / 1000, samples, verdicts };
}

async function writeResults(results: object): Promise<string> {
  await mkdir(RESULTS, { recursive: true });
  const file = path.join(RESULTS, `soak-${new Date().toISOString().replaceAll(':', '-')}.json`);
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
  return path.relative(process.cwd(), file);
}

function summary(
  results: {
    minutes: number;
    drainMs: number;
    faults: object;
    memory: ReturnType<typeof memoryFigures>;
    queued: { samples: QueueDepth[] };
  },
  requests: RequestFigures,
  ledger: LedgerReport,
): string[] {
  const kinds = Object.entries(requests.byKind)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, figures]) => {
      const statuses = Object.entries(figures.byStatus).map(([status, n]) => `${status}×${n}`);
      return `  ${kind}: ${figures.requests} (${statuses.join(' ')}), p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms`;
    });
  const memory = results.memory.verdicts.map(
    (verdict) =>
      `  ${verdict.series}: ${verdict.firstThirdMedianMb} → ${verdict.lastThirdMedianMb} MB over ${verdict.samples} ` +
      `samples (${(verdict.growth * 100).toFixed(1)} %): ${verdict.flat === null ? 'too few samples' : verdict.flat ? 'flat' : 'GROWING'}`,
  );
  return [
    `soak: ${results.minutes} min, ${requests.requests} requests, p50 ${requests.p50Ms} ms, p99 ${requests.p99Ms} ms; ` +
      `503s in the Redis outage ${requests.unavailableInOutage}, other 5xx ${requests.serverErrors}, ` +
      `dropped ${requests.dropped}; replays ${requests.replays.matched}/${requests.replays.sent} matched; ` +
      `${requests.unexpected.length} unexpected`,
    ...kinds,
    `faults: ${JSON.stringify(results.faults)}`,
    `drained in ${results.drainMs} ms; ${formatLedger('soak', ledger.counts)}; ${ledger.violations.length} violations`,
    `jobs queued every ${SAMPLE_EVERY_MS / 1000} s: pdf ${results.queued.samples.map((depth) => depth.pdf).join(' ')}; ` +
      `webhooks ${results.queued.samples.map((depth) => depth.webhooks).join(' ')}`,
    'memory (median of the first third → last third of each process’s samples):',
    ...memory,
  ];
}
