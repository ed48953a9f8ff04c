// PDF rendering benchmark (not a test): npm run bench:pdf
//
// One run, one document: a one-page invoice (3 lines) printed from invoicePrintJob, measured as
//   floors, raw puppeteer-core on the same Chromium with the same flags, HTML and page.pdf() options:
//     (a) cold: launch + new page + setContent + pdf;  (b) warm, a new page per render;
//     (c) warm, one reused page per slot (setContent + pdf), at concurrency 1 and 2 (and PDF_CONCURRENCY);
//   ours, renderer only: PdfRenderer rendering the same print job, warm, at the same concurrencies, in
//     blocks alternating with (c) so both see the same machine;
//   ours, whole system: the production app (APP_ROLE=all) on a fresh database and Redis db:
//     idle latency, finalize 200 -> first 200 of GET /v1/invoices/:id/pdf (polled every 10 ms), and
//     throughput, up to BENCH_INVOICES drafts (as many as (c) prints in ~15 s) finalized 8 at a time until
//     every pdf_status is 'ready' (read in the database), in blocks taking turns with (c) at PDF_CONCURRENCY
//     (floor, queue, queue, floor: the same number of PDFs each), so both sides see the same machine;
//   memory: RSS and PSS summed over the app's Chromium process tree after the throughput phase.
// Results also go to bench/results/pdf-<timestamp>.json. Bounded in time (BENCH_TIMEOUT_S); the database,
// the Redis db and every browser are cleaned up.
//
// Knobs (env): BENCH_PG_URL (server, default postgres://postgres@127.0.0.1:5432), BENCH_REDIS_URL (default
// redis://127.0.0.1:6379/12), BENCH_RUNS (renders per figure and concurrency, 120), BENCH_COLD_RUNS (5),
// BENCH_LATENCY_INVOICES (30), BENCH_INVOICES (at most; 200), BENCH_TIMEOUT_S (180), PDF_CONCURRENCY (2),
// CHROMIUM_PATH (the app's default, /usr/bin/chromium).
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { createApp } from '../src/app.factory.js';
import { type AppConfig, loadConfig } from '../src/config/app-config.js';
import type { InvoiceLine } from '../src/invoices/invoice-line.entity.js';
import type { CustomerSnapshot, Invoice, SellerSnapshot } from '../src/invoices/invoice.entity.js';
import { invoicePrintJob, type PrintJob } from '../src/pdf/document/invoice-document.js';
import {
  CHROMIUM_ARGS,
  pdfOptions,
  PdfRenderer,
  RENDER_TIMEOUT_MS,
} from '../src/pdf/rendering/pdf-renderer.js';
import {
  createScratchDatabase,
  dropScratchDatabase,
  flushRedis,
  scratchDatabaseUrl,
} from './scratch-services.js';
import { processTree } from '../test/support/processes.js';

const env = process.env;
const REDIS_URL = env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/12';
const RUNS = Number(env.BENCH_RUNS ?? 120);
const COLD_RUNS = Number(env.BENCH_COLD_RUNS ?? 5);
const LATENCY_INVOICES = Number(env.BENCH_LATENCY_INVOICES ?? 30);
const MAX_INVOICES = Number(env.BENCH_INVOICES ?? 200);
// The throughput phase aims at about this long at floor speed, so a slow or busy machine renders fewer.
const THROUGHPUT_TARGET_S = 15;
const MIN_INVOICES = 40;
const PDF_CONCURRENCY = env.PDF_CONCURRENCY ?? '2';
const TIMEOUT_MS = Number(env.BENCH_TIMEOUT_S ?? 180) * 1000;
// Blocks of floor and ours alternate this many times per concurrency, so drift hits both alike.
const ROUNDS = 2;
// The throughput phase too: floor and queue blocks in turns (ABBA), each printing its share of the invoices.
const THROUGHPUT_ROUNDS = 2;
const WARMUP = 5;
// On a busy machine a block stops early rather than overrun the whole run's time bound.
const BLOCK_BUDGET_MS = 5_000;
const NEW_PAGE_RUNS = 30;
const HTTP_CONCURRENCY = 8;
const POLL_MS = 10;
const DATABASE = `invoicing_bench_pdf_${process.pid}`;
const DATABASE_URL = scratchDatabaseUrl(DATABASE);
// Other work on the machine skews every figure here: the load average goes out with them.
const LOAD_AT_START = os.loadavg().map((load) => Math.round(load * 100) / 100);
const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../bench/results');

const log = (line: string) => process.stdout.write(`${line}\n`);
const BOOTED = performance.now();
/** A progress line, stamped with the seconds since start. */
const step = (line: string) =>
  log(`[${((performance.now() - BOOTED) / 1000).toFixed(1).padStart(5)} s] ${line}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The invoice the floors and the renderer print; the system phase builds the same one through the API.
const SELLER: SellerSnapshot = {
  name: 'Acme Widgets',
  legalName: 'Acme Widgets GmbH',
  email: 'billing@acme.test',
  address: { line1: 'Hauptstraße 1', postalCode: '10115', city: 'Berlin', country: 'DE' },
  taxId: 'DE123456789',
};
const BUYER = {
  name: 'Globex Corporation',
  email: 'ap@globex.test',
  address: { line1: '1 Main Street', line2: 'Suite 200', city: 'Springfield', state: 'IL', country: 'US' },
  taxId: 'US-98-7654321',
};
const LINE_ITEMS = [
  { description: 'Architecture review, October', quantity: 12, unitAmount: 15_000, taxRate: 19 },
  { description: 'Hosting (monthly)', quantity: 1, unitAmount: 4_900, discountPercent: 10, taxRate: 19 },
  { description: 'Support retainer', quantity: 2.5, unitAmount: 8_000, taxRate: 19 },
];
const NOTES = 'Thank you for your business.\nPlease quote the invoice number with your payment.';
const FOOTER = 'Acme Widgets GmbH · IBAN DE89 3704 0044 0532 0130 00 · BIC COBADEFFXXX';

function benchPrintJob(): PrintJob {
  const lines = LINE_ITEMS.map((item, position) => {
    const gross = Math.round(item.quantity * item.unitAmount);
    const discountAmount = Math.round((gross * (item.discountPercent ?? 0)) / 100);
    const taxAmount = Math.round(((gross - discountAmount) * item.taxRate) / 100);
    return {
      discountPercent: 0,
      ...item,
      position,
      amount: gross,
      discountAmount,
      taxAmount,
    } as unknown as InvoiceLine;
  });
  const sum = (pick: (line: InvoiceLine) => number) => lines.reduce((total, line) => total + pick(line), 0);
  const subtotal = sum((line) => line.amount);
  const discountTotal = sum((line) => line.discountAmount);
  const taxTotal = sum((line) => line.taxAmount);
  const total = subtotal - discountTotal + taxTotal;
  const invoice = {
    id: randomUUID(),
    number: 'INV-000042',
    status: 'open',
    currency: 'EUR',
    issueDate: '2026-11-25',
    dueDate: '2026-12-25',
    daysUntilDue: 30,
    subtotal,
    discountTotal,
    taxTotal,
    total,
    amountPaid: 0,
    amountDue: total,
    notes: NOTES,
    footer: FOOTER,
    lines,
  } as unknown as Invoice;
  const buyer = BUYER as CustomerSnapshot;
  return invoicePrintJob({ invoice, seller: SELLER, buyer, pageSize: 'A4' });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const round = (value: number, places = 1) => Math.round(value * 10 ** places) / 10 ** places;

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    max: round(sorted[sorted.length - 1]),
  };
}
type Summary = ReturnType<typeof summary>;

/**
 * Renders `count` PDFs (fewer if `budgetMs` runs out first) with `concurrency` workers taking turns at a
 * shared counter; ms per PDF and seconds taken.
 */
async function measure(
  count: number,
  concurrency: number,
  render: (slot: number) => Promise<unknown>,
  budgetMs = BLOCK_BUDGET_MS,
) {
  const samples: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, slot) => {
      while (next < count && performance.now() - started < budgetMs) {
        next++;
        const at = performance.now();
        await render(slot);
        samples.push(performance.now() - at);
      }
    }),
  );
  return { samples, seconds: (performance.now() - started) / 1000 };
}

/** Blocks of samples measured in turns, pooled: per-PDF summary and PDFs/s over all of them. */
class Pooled {
  readonly samples: number[] = [];
  seconds = 0;

  add(block: { samples: number[]; seconds: number }): void {
    this.samples.push(...block.samples);
    this.seconds += block.seconds;
  }

  result() {
    return { ms: summary(this.samples), perSecond: round(this.samples.length / this.seconds, 2) };
  }
}

const launch = (config: AppConfig) =>
  puppeteer.launch({ executablePath: config.chromiumPath, headless: true, args: [...CHROMIUM_ARGS] });

async function rawPdf(page: Page, job: PrintJob): Promise<Uint8Array> {
  await page.setContent(job.html, { waitUntil: 'load', timeout: RENDER_TIMEOUT_MS });
  return page.pdf(pdfOptions(job));
}

interface ProcessMemory {
  processes: number;
  rssMb: number;
  pssMb: number;
}

/** The Chromium processes in `root`'s process tree (found through /proc). */
function chromiumPids(root: number): number[] {
  return processTree(root).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('chrom');
    } catch {
      return false; // Gone meanwhile.
    }
  });
}

/**
 * RSS and PSS (shared pages split between sharers) summed over the Chromium processes in `root`'s tree, but
 * those in `except`.
 */
function chromiumMemory(root: number, except = new Set<number>()): ProcessMemory {
  const kb = (file: string, field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(readFileSync(file, 'utf8'))?.[1] ?? 0);
  const memory = { processes: 0, rssMb: 0, pssMb: 0 };
  for (const pid of chromiumPids(root)) {
    if (except.has(pid)) continue;
    try {
      const rss = kb(`/proc/${pid}/status`, 'VmRSS');
      const pss = kb(`/proc/${pid}/smaps_rollup`, 'Pss');
      memory.processes++;
      memory.rssMb += rss / 1024;
      memory.pssMb += pss / 1024;
    } catch {
      // Gone meanwhile.
    }
  }
  return { processes: memory.processes, rssMb: round(memory.rssMb), pssMb: round(memory.pssMb) };
}

const CLOCK_TICKS_PER_S = 100;

/** CPU time (user + system) of a process in ms, 0 once it is gone. */
function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime: fields 14 and 15 of stat, 12 and 13 after the command name.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return 0;
  }
}

const CPU_PARTS = ['node', 'appChromium', 'floorChromium', 'postgres'] as const;
type CpuPart = (typeof CPU_PARTS)[number];
type CpuSample = Record<CpuPart, number>;
/** CPU ms so far of each process of each part, by pid. */
type CpuReading = Record<CpuPart, Map<number, number>>;

/**
 * CPU time spent so far by this process (the app runs in it), the app's and the floor's Chromium trees and
 * the Postgres backends of the bench database: CPU per PDF is the figure the other work on a shared machine
 * moves least. A process that exits between two readings takes its time with it (a pool's idle backend).
 */
async function cpuReading(db: pg.Client, floorPid: number): Promise<CpuReading> {
  const floor = new Set(chromiumPids(floorPid));
  const app = chromiumPids(process.pid).filter((pid) => !floor.has(pid));
  const { rows } = await db.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE datname = current_database()',
  );
  const read = (pids: Iterable<number>) => new Map([...pids].map((pid) => [pid, processCpuMs(pid)]));
  const node = process.cpuUsage();
  return {
    node: new Map([[process.pid, (node.user + node.system) / 1000]]),
    appChromium: read(app),
    floorChromium: read(floor),
    postgres: read(rows.map((row) => row.pid)),
  };
}

/** Adds the CPU ms between two readings to `into`, per part (a process new since `from` counts whole). */
function addCpu(into: CpuSample, from: CpuReading, to: CpuReading): void {
  for (const part of CPU_PARTS) {
    for (const [pid, ms] of to[part]) into[part] += ms - (from[part].get(pid) ?? 0);
  }
}

/** CPU ms per PDF, per part. */
function cpuPerPdf(total: CpuSample, pdfs: number): CpuSample {
  return Object.fromEntries(CPU_PARTS.map((part) => [part, round(total[part] / pdfs)])) as CpuSample;
}

/** Phases 1 and 2: the floors and PdfRenderer, on the same print job. */
async function renderPhases(
  config: AppConfig,
  floorBrowser: Browser,
  job: PrintJob,
  concurrencies: number[],
) {
  const renderer = new PdfRenderer(config);
  try {
    step(`(a) cold: ${COLD_RUNS} × launch + new page + setContent + pdf`);
    const cold: number[] = [];
    const coldStarted = performance.now();
    for (let i = 0; i < COLD_RUNS && (i < 2 || performance.now() - coldStarted < BLOCK_BUDGET_MS * 2); i++) {
      const at = performance.now();
      const browser = await launch(config);
      try {
        await rawPdf(await browser.newPage(), job);
        cold.push(performance.now() - at);
      } finally {
        await browser.close();
      }
    }

    step(`(b) warm, new page per render: ${NEW_PAGE_RUNS}`);
    const newPage = async () => {
      const page = await floorBrowser.newPage();
      try {
        await rawPdf(page, job);
      } finally {
        await page.close();
      }
    };
    for (let i = 0; i < WARMUP; i++) await newPage();
    const perNewPage = (await measure(NEW_PAGE_RUNS, 1, newPage)).samples;

    const maxConcurrency = Math.max(...concurrencies);
    const pages = await Promise.all(Array.from({ length: maxConcurrency }, () => floorBrowser.newPage()));
    const floorBytes = (await rawPdf(pages[0], job)).length;
    const oursBytes = (await renderer.render(job)).length;
    const floor: Record<number, ReturnType<Pooled['result']>> = {};
    const ours: Record<number, ReturnType<Pooled['result']>> = {};
    const block = Math.ceil(RUNS / ROUNDS);
    for (const concurrency of concurrencies) {
      step(
        `(c) reused page vs PdfRenderer at concurrency ${concurrency}: ${ROUNDS} × ${block} each, in turns`,
      );
      const floorRenders = (slot: number) => rawPdf(pages[slot], job);
      const ourRenders = () => renderer.render(job);
      // Warm every slot of both: the renderer opens its pages on demand.
      await measure(WARMUP * concurrency, concurrency, floorRenders, Infinity);
      await measure(WARMUP * concurrency, concurrency, ourRenders, Infinity);
      const floorPool = new Pooled();
      const oursPool = new Pooled();
      for (let i = 0; i < ROUNDS; i++) {
        floorPool.add(await measure(block, concurrency, floorRenders));
        oursPool.add(await measure(block, concurrency, ourRenders));
      }
      floor[concurrency] = floorPool.result();
      ours[concurrency] = oursPool.result();
    }

    const floorMemory = chromiumMemory(floorBrowser.process()!.pid!);
    return {
      chromium: await floorBrowser.version(),
      bytes: { html: job.html.length, floorPdf: floorBytes, rendererPdf: oursBytes },
      cold: summary(cold),
      newPage: summary(perNewPage),
      floor,
      ours,
      floorMemory,
    };
  } finally {
    await renderer.onApplicationShutdown();
  }
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
  bytes: number;
  at: number;
  wallAt: number;
}

/** A JSON API client over fetch (undici keeps connections alive). */
function api(base: string) {
  let bearer = '';
  const request = async (method: string, path: string, body?: object, expected?: number): Promise<Answer> => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...(bearer ? { authorization: bearer } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const at = performance.now();
    const wallAt = Date.now();
    const content = Buffer.from(await response.arrayBuffer());
    if (expected !== undefined && response.status !== expected) {
      throw new Error(`${method} ${path}: ${response.status} ${content.toString()}`);
    }
    const json = response.headers.get('content-type')?.includes('json');
    return {
      status: response.status,
      body: json ? (JSON.parse(content.toString()) as Record<string, unknown>) : {},
      bytes: content.length,
      at,
      wallAt,
    };
  };
  return {
    set token(value: string) {
      bearer = `Bearer ${value}`;
    },
    request,
  };
}

/** Runs `work` over `items`, `concurrency` at a time. */
async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

/** The floor's side of the throughput phase: raw renders on warm reused pages, at PDF_CONCURRENCY. */
interface ThroughputFloor {
  render: (slot: number) => Promise<unknown>;
  /** The floor browser's process, left out of the app's memory. */
  pid: number;
}

/** Phase 3: the production app, from finalize to a stored PDF. */
async function systemPhase(config: AppConfig, invoices: number, floor: ThroughputFloor) {
  let app: NestFastifyApplication | undefined;
  const db = new pg.Client({ connectionString: DATABASE_URL });
  try {
    app = await createApp(config);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.getHttpServer().address() as AddressInfo;
    const client = api(`http://127.0.0.1:${address.port}`);
    await db.connect();

    const signup = await client.request(
      'POST',
      '/v1/auth/signup',
      {
        email: `bench-${randomUUID()}@example.test`,
        password: 'correct horse battery staple',
        name: 'Bench Owner',
        organizationName: SELLER.name,
      },
      201,
    );
    client.token = signup.body.accessToken as string;
    const { name: _name, ...profile } = SELLER;
    await client.request('PATCH', '/v1/organization', { ...profile, defaultCurrency: 'EUR' }, 200);
    const customer = await client.request('POST', '/v1/customers', BUYER, 201);
    const draft = async () =>
      (
        await client.request(
          'POST',
          '/v1/invoices',
          {
            customerId: customer.body.id,
            currency: 'EUR',
            daysUntilDue: 30,
            lineItems: LINE_ITEMS,
            notes: NOTES,
            footer: FOOTER,
          },
          201,
        )
      ).body.id as string;

    // (i) idle latency: one invoice at a time, finalize 200 -> GET pdf 200; the first few launch and warm up.
    step(`(i) idle latency: ${WARMUP} warm-up + ${LATENCY_INVOICES} invoices, one at a time`);
    const latencies: number[] = [];
    const finalizedAt = new Map<string, number>();
    let appPdfBytes = 0;
    for (let i = 0; i < WARMUP + LATENCY_INVOICES; i++) {
      const id = await draft();
      const finalized = await client.request('POST', `/v1/invoices/${id}/finalize`, undefined, 200);
      for (;;) {
        const pdf = await client.request('GET', `/v1/invoices/${id}/pdf`);
        if (pdf.status === 200) {
          if (i >= WARMUP) {
            latencies.push(pdf.at - finalized.at);
            finalizedAt.set(id, finalized.wallAt);
          }
          appPdfBytes = pdf.bytes;
          break;
        }
        if (pdf.status !== 202)
          throw new Error(`GET pdf answered ${pdf.status}: ${JSON.stringify(pdf.body)}`);
        if (performance.now() - finalized.at > 30_000) throw new Error(`invoice ${id}: no PDF after 30 s`);
        await sleep(POLL_MS);
      }
    }
    // Where the idle latency goes, from the row: handed to the queue (dispatcher's claim), then recorded ready.
    const { rows: stamps } = await db.query<{ id: string; queued: number; ready: number }>(
      `SELECT id, extract(epoch FROM pdf_queued_at) * 1000 AS queued, extract(epoch FROM pdf_generated_at) * 1000 AS ready
         FROM invoices WHERE id = ANY($1)`,
      [[...finalizedAt.keys()]],
    );
    const toQueued = stamps.map((row) => Number(row.queued) - finalizedAt.get(row.id)!);
    const queuedToReady = stamps.map((row) => Number(row.ready) - Number(row.queued));

    // (ii) throughput: drafts first; then blocks in turns with the floor. A queue block finalizes its share
    // HTTP_CONCURRENCY at a time, clocked from the first finalize to the poll that sees every PDF ready.
    const perBlock = Math.ceil(invoices / THROUGHPUT_ROUNDS);
    const concurrency = config.pdfConcurrency;
    step(
      `(ii) throughput: ${THROUGHPUT_ROUNDS} × ${perBlock} invoices finalized ${HTTP_CONCURRENCY} at a time, ` +
        `in turns with ${perBlock} floor renders at concurrency ${concurrency}`,
    );
    const ids: string[] = [];
    await pool(
      Array.from({ length: perBlock * THROUGHPUT_ROUNDS }, (_, i) => i),
      HTTP_CONCURRENCY,
      async () => ids.push(await draft()),
    );
    const queueBlock = async (block: string[]) => {
      const started = performance.now();
      let finalizedAll = 0;
      const done = pool(block, HTTP_CONCURRENCY, (id) =>
        client.request('POST', `/v1/invoices/${id}/finalize`, undefined, 200),
      ).then(() => (finalizedAll = performance.now()));
      let ready = 0;
      // Once every finalize has answered, the rest is the queue alone: its rate without the API's CPU.
      let drainFrom: { at: number; ready: number } | null = null;
      while (ready < block.length) {
        if (finalizedAll && !drainFrom) drainFrom = { at: performance.now(), ready };
        await sleep(20);
        const { rows } = await db.query<{ ready: number; failed: number }>(
          `SELECT count(*) FILTER (WHERE pdf_status = 'ready')::int AS ready,
                  count(*) FILTER (WHERE pdf_status = 'failed')::int AS failed
             FROM invoices WHERE id = ANY($1)`,
          [block],
        );
        ready = rows[0].ready;
        if (rows[0].failed > 0) throw new Error(`${rows[0].failed} PDFs failed`);
        if (performance.now() - started > Math.max(60_000, block.length * 500)) {
          throw new Error(`only ${ready} of ${block.length} PDFs ready`);
        }
      }
      const finished = performance.now();
      await done;
      drainFrom ??= { at: finished, ready };
      return {
        seconds: (finished - started) / 1000,
        finalizeSeconds: (finalizedAll - started) / 1000,
        drained: block.length - drainFrom.ready,
        drainSeconds: (finished - drainFrom.at) / 1000,
      };
    };
    // Warm the floor's pages before its first block, as the app's are.
    await measure(WARMUP * concurrency, concurrency, floor.render, Infinity);
    const floorPool = new Pooled();
    const queue = { seconds: 0, finalizeSeconds: 0, drained: 0, drainSeconds: 0 };
    const zero: CpuSample = { node: 0, appChromium: 0, floorChromium: 0, postgres: 0 };
    const cpu = { queue: { ...zero }, floor: { ...zero } };
    const floorBlock = async () => {
      step(`  floor block: ${perBlock} renders`);
      const from = await cpuReading(db, floor.pid);
      floorPool.add(await measure(perBlock, concurrency, floor.render, Infinity));
      addCpu(cpu.floor, from, await cpuReading(db, floor.pid));
    };
    for (let i = 0; i < THROUGHPUT_ROUNDS; i++) {
      const floorFirst = i % 2 === 0;
      if (floorFirst) await floorBlock();
      step(`  queue block: ${perBlock} invoices`);
      const from = await cpuReading(db, floor.pid);
      const block = await queueBlock(ids.slice(i * perBlock, (i + 1) * perBlock));
      addCpu(cpu.queue, from, await cpuReading(db, floor.pid));
      queue.seconds += block.seconds;
      queue.finalizeSeconds += block.finalizeSeconds;
      queue.drained += block.drained;
      queue.drainSeconds += block.drainSeconds;
      if (!floorFirst) await floorBlock();
    }
    step('  done');
    const floorPids = new Set(chromiumPids(floor.pid));
    const memory = chromiumMemory(process.pid, floorPids);
    return {
      appPdfBytes,
      latency: summary(latencies),
      finalizeToQueued: summary(toQueued),
      queuedToReady: summary(queuedToReady),
      throughput: {
        invoices: ids.length,
        perSecond: round(ids.length / queue.seconds, 2),
        seconds: round(queue.seconds, 2),
        finalizeSeconds: round(queue.finalizeSeconds, 2),
        afterFinalizes: {
          pdfs: queue.drained,
          perSecond: round(queue.drainSeconds > 0 ? queue.drained / queue.drainSeconds : 0, 2),
        },
      },
      throughputFloor: floorPool.result(),
      cpuPerPdf: {
        queue: cpuPerPdf(cpu.queue, ids.length),
        floor: cpuPerPdf(cpu.floor, floorPool.samples.length),
      },
      memory,
    };
  } finally {
    await db.end().catch(() => undefined);
    await app?.close().catch(() => undefined);
  }
}

async function main(): Promise<void> {
  log(`pdf benchmark: database ${DATABASE}, redis ${REDIS_URL}`);
  const config = loadConfig({
    DATABASE_URL,
    REDIS_URL,
    JWT_SECRET: randomUUID() + randomUUID(),
    APP_ROLE: 'all',
    LOG_LEVEL: 'error',
    PDF_CONCURRENCY,
    ...(env.CHROMIUM_PATH ? { CHROMIUM_PATH: env.CHROMIUM_PATH } : {}),
  });
  const concurrencies = [...new Set([1, 2, config.pdfConcurrency])].sort((a, b) => a - b);
  const job = benchPrintJob();
  // One floor browser for the whole run: phase (c), then the turns it takes with the queue in phase (ii).
  const floorBrowser = await launch(config);
  let render: Awaited<ReturnType<typeof renderPhases>>;
  let system: Awaited<ReturnType<typeof systemPhase>>;
  try {
    render = await renderPhases(config, floorBrowser, job, concurrencies);
    const invoices = Math.max(
      MIN_INVOICES,
      Math.min(MAX_INVOICES, Math.round(render.floor[config.pdfConcurrency].perSecond * THROUGHPUT_TARGET_S)),
    );
    const pages = await Promise.all(
      Array.from({ length: config.pdfConcurrency }, () => floorBrowser.newPage()),
    );
    const floor = { render: (slot: number) => rawPdf(pages[slot], job), pid: floorBrowser.process()!.pid! };
    await createScratchDatabase(DATABASE);
    await flushRedis(REDIS_URL);
    try {
      system = await systemPhase(config, invoices, floor);
    } finally {
      await sleep(100);
      await dropScratchDatabase(DATABASE).catch((error: Error) =>
        log(`could not drop ${DATABASE}: ${error.message}`),
      );
      await flushRedis(REDIS_URL).catch(() => undefined);
    }
  } finally {
    await floorBrowser.close();
  }

  const ratio = (value: number, base: number) => round(value / base, 2);
  const queueFloor = system.throughputFloor;
  const results = {
    at: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpu: os.cpus()[0]?.model,
      node: process.version,
      chromium: render.chromium,
      loadAverage: { atStart: LOAD_AT_START, atEnd: os.loadavg().map((load) => round(load, 2)) },
    },
    settings: {
      runs: RUNS,
      coldRuns: COLD_RUNS,
      latencyInvoices: LATENCY_INVOICES,
      invoices: system.throughput.invoices,
      throughputRounds: THROUGHPUT_ROUNDS,
      maxInvoices: MAX_INVOICES,
      pdfConcurrency: config.pdfConcurrency,
      httpConcurrency: HTTP_CONCURRENCY,
      pollMs: POLL_MS,
    },
    bytes: { ...render.bytes, appPdf: system.appPdfBytes },
    floor: {
      cold: render.cold,
      newPage: render.newPage,
      reusedPage: render.floor,
      reusedPageDuringThroughput: queueFloor,
    },
    renderer: Object.fromEntries(
      concurrencies.map((c) => [
        c,
        {
          ...render.ours[c],
          p50Ratio: ratio(render.ours[c].ms.p50, render.floor[c].ms.p50),
          perSecondRatio: ratio(render.ours[c].perSecond, render.floor[c].perSecond),
        },
      ]),
    ),
    system: {
      finalizeToPdfMs: system.latency,
      finalizeToQueuedMs: system.finalizeToQueued,
      queuedToReadyMs: system.queuedToReady,
      throughput: {
        ...system.throughput,
        perSecondRatio: ratio(system.throughput.perSecond, queueFloor.perSecond),
      },
    },
    cpuMsPerPdf: system.cpuPerPdf,
    memory: { app: system.memory, floorBrowser: render.floorMemory },
  };

  const ms = (s: Summary) => `${s.p50.toFixed(1)} / ${s.p95.toFixed(1)}`;
  const row = (name: string, ours: string, floor: string, x: string) =>
    log(`${name.padEnd(40)}${ours.padStart(20)}${floor.padStart(20)}${x.padStart(8)}`);
  log('');
  log(
    `machine: ${results.machine.cpus} × ${results.machine.cpu}, Node ${process.version}, ${render.chromium}, ` +
      `PDF_CONCURRENCY ${config.pdfConcurrency}; load average ${LOAD_AT_START.join(' ')} at start, ` +
      `${results.machine.loadAverage.atEnd.join(' ')} at end`,
  );
  log(
    `document: ${render.bytes.html} B of HTML; PDF ${render.bytes.floorPdf} B (floor), ` +
      `${render.bytes.rendererPdf} B (renderer), ${system.appPdfBytes} B (app)`,
  );
  row('figure', 'ours', 'floor', 'ratio');
  row('(a) cold launch+page+pdf p50/p95 ms', '', ms(render.cold), '');
  row('(b) warm new page per render p50/p95 ms', '', ms(render.newPage), '');
  for (const c of concurrencies) {
    const ours = render.ours[c];
    const floor = render.floor[c];
    row(
      `renderer c${c} ms per PDF p50/p95`,
      ms(ours.ms),
      ms(floor.ms),
      `x${ratio(ours.ms.p50, floor.ms.p50)}`,
    );
    row(
      `renderer c${c} PDFs/s`,
      ours.perSecond.toFixed(2),
      floor.perSecond.toFixed(2),
      ratio(ours.perSecond, floor.perSecond).toFixed(2),
    );
  }
  row(
    'finalize->PDF 200 p50/p95 ms (idle)',
    ms(system.latency),
    ms(render.floor[1].ms),
    `x${ratio(system.latency.p50, render.floor[1].ms.p50)}`,
  );
  row('  finalize 200->queued p50/p95 ms', ms(system.finalizeToQueued), '', '');
  row('  queued->marked ready p50/p95 ms', ms(system.queuedToReady), '', '');
  row(
    `queue c${config.pdfConcurrency} PDFs/s (${system.throughput.invoices} invoices, floor in turns)`,
    system.throughput.perSecond.toFixed(2),
    queueFloor.perSecond.toFixed(2),
    results.system.throughput.perSecondRatio.toFixed(2),
  );
  row(
    `  after the last finalize: PDFs/s (${system.throughput.afterFinalizes.pdfs} PDFs)`,
    system.throughput.afterFinalizes.perSecond.toFixed(2),
    queueFloor.perSecond.toFixed(2),
    ratio(system.throughput.afterFinalizes.perSecond, queueFloor.perSecond).toFixed(2),
  );
  const cpu = (part: CpuSample, chromium: number) =>
    `${part.node.toFixed(1)}/${chromium.toFixed(1)}/${part.postgres.toFixed(1)}`;
  row(
    '  CPU ms per PDF: node/chromium/postgres',
    cpu(system.cpuPerPdf.queue, system.cpuPerPdf.queue.appChromium),
    cpu(system.cpuPerPdf.floor, system.cpuPerPdf.floor.floorChromium),
    '',
  );
  row(
    'Chromium RSS / PSS MB (processes)',
    `${system.memory.rssMb} / ${system.memory.pssMb} (${system.memory.processes})`,
    `${render.floorMemory.rssMb} / ${render.floorMemory.pssMb} (${render.floorMemory.processes})`,
    '',
  );

  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `pdf-${results.at.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  log(`results: ${file}`);
}

const deadline = setTimeout(() => {
  process.stderr.write(`pdf benchmark: over ${TIMEOUT_MS / 1000} s, giving up\n`);
  // Exiting leaves the browsers running: kill the ones this process started.
  for (const pid of chromiumPids(process.pid)) if (pid !== process.pid) process.kill(pid, 'SIGKILL');
  Promise.all([
    dropScratchDatabase(DATABASE).catch(() => undefined),
    flushRedis(REDIS_URL).catch(() => undefined),
  ]).finally(() => process.exit(1));
}, TIMEOUT_MS);
deadline.unref();

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack}\n`);
    process.exit(1);
  },
);
