import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Queue } from 'bullmq';
import { PDF_QUEUE } from '../../src/pdf/queue/pdf-jobs.js';
import { WEBHOOKS_QUEUE } from '../../src/webhooks/delivery/webhook-delivery.producer.js';
import { createCustomer, signUpOwner } from '../support/factories.js';
import { createPrivateDatabase, type PrivateDatabase, startAppOn } from '../support/private-database.js';
import {
  type Child,
  chromiumChildrenOf,
  compileProduction,
  freePort,
  type Service,
  startRedisServer,
  startService,
  waitFor,
} from '../support/processes.js';
import { serviceEnvironment } from '../support/service-environment.js';
import type { TestApp } from '../support/test-app.js';
import { type Answer, Receiver, type Script } from '../support/webhook-receiver.js';
import { checkLedger, formatLedger } from './ledger.js';
import { memoryOf, report, subscribe } from './scenario.js';
import { formatTraffic, Traffic } from './traffic.js';

const MiB = 1024 * 1024;

/**
 * The worker as production runs it (the compiled build, APP_ROLE=worker, its own Chromium) under faults while
 * the API takes traffic: its browser killed mid-render, a SIGTERM during jobs, a SIGKILL mid-render and
 * mid-delivery, and receivers that hang, trickle or flood. Each scenario is an organization of its own with a
 * receiver of its own, and its ledger must be clean: every PDF rendered, every webhook delivered (or failed for
 * good at a hostile receiver).
 */
describe('the worker process under faults', () => {
  const BUILD = path.join(process.cwd(), '.build-reliability');
  // A webhook is answered this long after it arrives, so it is in flight that long: time to kill a worker under it.
  const RECEIVER_DELAY_MS = 400;
  let database: PrivateDatabase;
  let redis: Child;
  let redisUrl: string;
  let sut: TestApp;
  let queues: Record<'pdf' | 'webhooks', Queue>;
  const workers: Service[] = [];
  const receivers: Receiver[] = [];
  const traffics: Traffic[] = [];
  const strayBrowsers: number[] = [];

  beforeAll(async () => {
    const redisPort = await freePort();
    redisUrl = `redis://127.0.0.1:${redisPort}`;
    [redis, database] = await Promise.all([
      startRedisServer(redisPort),
      createPrivateDatabase('worker_faults'),
      compileProduction(BUILD),
    ]);
    // The API only: the child workers alone relay, dispatch, deliver and render.
    sut = await startAppOn(database, {
      REDIS_URL: redisUrl,
      APP_ROLE: 'api',
      WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
    });
    const connection = { url: redisUrl };
    queues = {
      pdf: new Queue(PDF_QUEUE, { connection }),
      webhooks: new Queue(WEBHOOKS_QUEUE, { connection }),
    };
  }, 120_000);

  afterAll(async () => {
    // A scenario that failed half-way left its traffic running.
    await Promise.all(traffics.map((traffic) => traffic.stop()));
    // SIGTERM: a worker that stops cleanly closes its browser.
    await Promise.all(workers.map((worker) => worker.stop('SIGTERM', 25_000)));
    for (const pid of strayBrowsers.filter(isAlive)) process.kill(pid, 'SIGKILL');
    await Promise.all(Object.values(queues ?? {}).map((queue) => queue.close()));
    await sut?.close();
    await Promise.all(receivers.map((receiver) => receiver.close()));
    await redis?.stop();
    await database?.drop();
    await rm(BUILD, { recursive: true, force: true });
  }, 60_000);

  async function startWorker(): Promise<Service> {
    const worker = await startService(
      BUILD,
      // Two attempts, a second apart: a hostile receiver's delivery fails for good after two timeouts.
      serviceEnvironment('worker', database.url, redisUrl, { WEBHOOK_RETRY_SCHEDULE: '1' }),
    );
    workers.push(worker);
    return worker;
  }

  /** The worker running now, or a new one (a scenario run alone finds none). */
  const runningWorker = async () => workers.filter((worker) => !worker.exited()).at(-1) ?? startWorker();

  async function startReceiver(script?: Script): Promise<Receiver> {
    const receiver = await new Receiver(script).start();
    receivers.push(receiver);
    return receiver;
  }

  /** A new organization sending every webhook to a receiver of its own, with traffic from its owner. */
  async function organizationUnderTraffic() {
    const owner = await signUpOwner(sut.http);
    const receiver = await startReceiver(() => ({ status: 200, delayMs: RECEIVER_DELAY_MS }));
    const endpointId = await subscribe(sut.http, owner, receiver);
    const traffic = new Traffic(sut.http, owner).start(2);
    traffics.push(traffic);
    /** The organization's ledger, once every PDF and webhook is done. */
    const ledger = () =>
      checkLedger(sut.db, {
        organizationIds: [owner.organizationId],
        receivers: [{ endpointId, received: receiver.received }],
        pdfsSettled: true,
        settleTimeoutMs: 60_000,
      });
    return { organizationId: owner.organizationId, receiver, traffic, ledger };
  }

  /**
   * Waits until the worker renders on its browser and, given a receiver, a webhook to it awaits its answer;
   * answers the jobs active and the browser's processes.
   */
  const midWork = (worker: Service, receiver?: Receiver) =>
    waitFor(
      async () => {
        const active = {
          renders: await queues.pdf.getActiveCount(),
          deliveries: await queues.webhooks.getActiveCount(),
        };
        // A request that reached the receiver less than half its delay ago is still waiting for its answer.
        const delivering =
          active.deliveries > 0 && Date.now() - (receiver?.received.at(-1)?.at ?? 0) < RECEIVER_DELAY_MS / 2;
        if (active.renders === 0 || (receiver && !delivering)) return null;
        const browsers = await chromiumChildrenOf(worker.process.pid!);
        return browsers.length > 0 && { active, browsers };
      },
      30_000,
      'renders and deliveries in flight',
      20,
    );

  it('relaunches Chromium killed mid-render, and every PDF is rendered', async () => {
    const worker = await startWorker();
    const { traffic, ledger } = await organizationUnderTraffic();
    const { active, browsers } = await midWork(worker);

    for (const pid of browsers) process.kill(pid, 'SIGKILL');
    await waitFor(
      async () => (await chromiumChildrenOf(worker.process.pid!)).some((pid) => !browsers.includes(pid)),
      30_000,
      'a new browser',
    );
    const summary = await traffic.stop();
    const { violations, counts } = await ledger();

    report(
      `chromium killed: SIGKILL to the worker's browser with ${active.renders} render job(s) active`,
      formatTraffic('chromium killed mid-render', summary),
      formatLedger('chromium killed mid-render', counts),
    );
    expect(summary.serverErrors).toBe(0);
    expect(summary.unexpected).toEqual([]);
    expect(violations).toEqual([]);
    expect(counts.pdfs.failed).toBe(0);
  }, 90_000);

  it('on SIGTERM finishes or hands back the jobs in flight: nothing lost, nothing twice', async () => {
    const worker = await runningWorker();
    const { receiver, traffic, ledger } = await organizationUnderTraffic();
    const { active, browsers } = await midWork(worker, receiver);
    const signalled = Date.now();

    const [summary] = await Promise.all([traffic.stop(), worker.stop('SIGTERM', 25_000)]);
    const stoppedInMs = Date.now() - signalled;
    await startWorker();
    const { violations, counts } = await ledger();
    const browsersLeft = browsers.filter(isAlive).length;

    report(
      `sigterm: SIGTERM to the worker with ${active.renders} render and ${active.deliveries} delivery job(s) active; ` +
        `it exited by itself after ${stoppedInMs} ms, leaving ${browsersLeft} browser process(es)`,
      formatTraffic('sigterm during jobs', summary),
      formatLedger('sigterm during jobs', counts),
    );
    // Closed cleanly, Nest raises the signal again to exit by it; stop()'s SIGKILL after 25 s would show instead.
    expect(worker.process.signalCode).toBe('SIGTERM');
    expect(browsersLeft).toBe(0);
    expect(summary.serverErrors).toBe(0);
    expect(summary.unexpected).toEqual([]);
    expect(violations).toEqual([]);
    // The attempts in flight were answered and recorded before the exit: none was sent again.
    expect(counts.received.duplicates).toBe(0);
  }, 90_000);

  it('takes over from a worker killed -9 mid-render and mid-delivery, while hostile receivers hold its slots', async () => {
    const killed = await runningWorker();
    const { organizationId, receiver, traffic, ledger } = await organizationUnderTraffic();
    const { active, browsers } = await midWork(killed, receiver);

    await killed.stop('SIGKILL');
    const killedAt = Date.now();
    const [summary, successor] = await Promise.all([traffic.stop(), startWorker()]);
    const memoryBefore = await memoryOf(successor.process.pid!);
    const browsersLeft = browsers.filter(isAlive);
    strayBrowsers.push(...browsersLeft);
    const hostile = await hostileReceivers();
    const settled = async (check: () => Promise<Awaited<ReturnType<typeof ledger>>>) => {
      const result = await check();
      return { ...result, inMs: Date.now() - killedAt };
    };
    const [takeover, hostileLedger] = await Promise.all([settled(ledger), settled(hostile.ledger)]);
    const memoryAfter = await memoryOf(successor.process.pid!);
    report(
      `worker killed: SIGKILL with ${active.renders} render and ${active.deliveries} delivery job(s) active; ` +
        `its jobs settled by the successor ${takeover.inMs} ms after the kill; ${browsersLeft.length} of its ` +
        `${browsers.length} browser process(es) outlived it`,
      formatTraffic('worker killed -9', summary),
      formatLedger('worker killed -9', takeover.counts),
      `hostile receivers: ${hostile.taken()}; all settled ${hostileLedger.inMs} ms after the kill; successor's ` +
        `RSS ${memoryBefore.rssMiB} MiB before, ${memoryAfter.rssMiB} MiB after (peak ${memoryAfter.peakMiB} MiB)`,
      formatLedger('hostile receivers', hostileLedger.counts),
    );
    expect(browsersLeft).toEqual([]);
    expect(summary.serverErrors).toBe(0);
    expect(summary.unexpected).toEqual([]);
    expect(takeover.violations).toEqual([]);
    // The answers in flight died with the worker: those webhooks came again, with the same webhook-id.
    expect(takeover.counts.received.duplicates).toBeGreaterThan(0);
    // What the killed worker sent was never recorded: each delivery has one attempt, the successor's 2xx.
    const { rows: attempts } = await sut.db.query(
      `SELECT DISTINCT delivery.attempts, attempt.attempt, attempt.status_code AS "statusCode"
         FROM webhook_deliveries delivery JOIN webhook_attempts attempt ON attempt.delivery_id = delivery.id
        WHERE delivery.organization_id = $1`,
      [organizationId],
    );
    expect(attempts).toEqual([{ attempts: 1, attempt: 1, statusCode: 200 }]);
    expect(hostileLedger.violations).toEqual([]);
    expect(await hostile.outcomes()).toEqual(hostile.expectedOutcomes);
    // Gigabytes offered, at most a few socket buffers taken, and the worker did not grow by what was offered.
    expect(hostile.mostBytesTaken()).toBeLessThan(16 * MiB);
    expect(memoryAfter.rssMiB - memoryBefore.rssMiB).toBeLessThan(150);
  }, 120_000);

  /**
   * Receivers that hang, trickle a byte a second after a 200, or flood 2 GiB after a 503 or a 200, each an
   * endpoint of a new organization for customer.created; two customers make two deliveries to each.
   */
  async function hostileReceivers() {
    const owner = await signUpOwner(sut.http);
    const taken = new Map<string, number>();
    /** A body of 2 GiB: `chunk` every `everyMs` (as fast as read when 0); `taken` keeps the most one answer had read. */
    const endless = (name: string, chunk: Buffer, everyMs: number): Readable => {
      let timer: NodeJS.Timeout | undefined;
      let sent = 0;
      return new Readable({
        read() {
          if (sent + chunk.length > 2048 * MiB) return void this.push(null);
          const push = () => {
            sent += chunk.length;
            taken.set(name, Math.max(taken.get(name) ?? 0, sent));
            this.push(chunk);
          };
          if (everyMs === 0) push();
          else timer = setTimeout(push, everyMs);
        },
        destroy(error, callback) {
          clearTimeout(timer);
          callback(error);
        },
      });
    };
    const flood = (name: string, status: number): Answer => ({
      status,
      body: endless(name, Buffer.alloc(64 * 1024, 'x'), 0),
    });
    const scripts: Record<string, Script> = {
      hang: () => 'hang',
      trickle: () => ({ status: 200, body: endless('trickle', Buffer.from('.'), 1000) }),
      'flood after 503': () => flood('flood after 503', 503),
      'flood after 200': () => flood('flood after 200', 200),
    };
    const endpoints = await Promise.all(
      Object.entries(scripts).map(async ([name, script]) => {
        const receiver = await startReceiver(script);
        return {
          name,
          receiver,
          endpointId: await subscribe(sut.http, owner, receiver, ['customer.created']),
        };
      }),
    );
    for (let i = 0; i < 2; i++) await createCustomer(sut.http, owner);

    const timedOut = { statusCode: null, timedOut: true, excerptWithinKiB: true };
    const answered = (statusCode: number) => ({ statusCode, timedOut: false, excerptWithinKiB: true });
    const both = (status: string, attempts: object[]) => [
      { status, attempts },
      { status, attempts },
    ];
    return {
      ledger: () =>
        checkLedger(sut.db, {
          organizationIds: [owner.organizationId],
          receivers: endpoints.map(({ receiver, endpointId }) => ({
            endpointId,
            received: receiver.received,
          })),
          settleTimeoutMs: 60_000,
        }),
      /** Each delivery's state and attempts, by receiver. */
      outcomes: async () => {
        const byName: Record<string, unknown> = {};
        for (const { name, endpointId } of endpoints) {
          const { rows } = await sut.db.query(
            `SELECT delivery.status, array_agg(json_build_object(
                      'statusCode', attempt.status_code,
                      'timedOut', coalesce(attempt.error LIKE 'Timed out after 15000 ms%', false),
                      'excerptWithinKiB', octet_length(coalesce(attempt.response_excerpt, '')) <= 1024)
                      ORDER BY attempt.attempt) AS attempts
               FROM webhook_deliveries delivery JOIN webhook_attempts attempt ON attempt.delivery_id = delivery.id
              WHERE delivery.endpoint_id = $1 GROUP BY delivery.id ORDER BY delivery.id`,
            [endpointId],
          );
          byName[name] = rows;
        }
        return byName;
      },
      expectedOutcomes: {
        hang: both('failed', [timedOut, timedOut]),
        trickle: both('failed', [timedOut, timedOut]),
        'flood after 503': both('failed', [answered(503), answered(503)]),
        'flood after 200': both('succeeded', [answered(200)]),
      },
      mostBytesTaken: () => Math.max(...taken.values()),
      taken: () =>
        [...taken.entries()]
          .map(([name, bytes]) => `${name}: ${Math.ceil(bytes / 1024)} KiB taken`)
          .join(', '),
    };
  }
});

/** Whether a process still runs: it has a /proc entry, and is not a zombie waiting to be reaped. */
function isAlive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
