// `npm run bench`: every benchmark in one run, one after the other so none disturbs another, then one
// table of figures, floors, ratios, Parse Server beside us and the targets. Each part measures its
// own floor in the same process and minutes as our figure:
//   bench/parse-peer   Parse Server on the same Postgres (its own package, never the service's dependency)
//   bench/api.ts       HTTP scenarios (get, list, create, login), the scale run and memory
//   bench/pdf.ts       finalize → PDF, through the real queue, against raw page.pdf() on warm pages
//   bench/webhooks.ts  events → signed deliveries, against raw keep-alive POSTs
// Writes bench/results/bench-<timestamp>.json and prints the table as Markdown (the README's copy).
// BENCH_PARTS (default parse,api,pdf,webhooks) runs a subset; each part's own knobs pass through.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApiResults } from './api.js';

const BUILD = join(dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = join(BUILD, '..');
const RESULTS_DIR = join(ROOT, 'bench/results');
const PARTS = (process.env.BENCH_PARTS ?? 'parse,api,pdf,webhooks').split(',');

const log = (line: string) => process.stdout.write(`${line}\n`);

/** Runs a part with its output shown; answers its stdout's last line (where the Parse peer puts its JSON). */
function runPart(name: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  log(`\n## ${name}: node ${args.join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn('node', args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let lastLine = '';
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      const lines = chunk.toString().trim().split('\n');
      lastLine = lines[lines.length - 1] || lastLine;
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(lastLine) : reject(new Error(`${name} exited with ${code}`)),
    );
  });
}

/** The fields of each part's results the table reads. */
interface Distribution {
  p50: number;
  p95: number;
}
interface PdfResults {
  settings: { pdfConcurrency: number };
  floor: { reusedPage: Record<string, { perSecond: number; ms: Distribution }> };
  system: { throughput: { perSecond: number; perSecondRatio: number }; finalizeToPdfMs: Distribution };
}
interface WebhookResults {
  throughputPerSecond: { pipeline: number; floor: number; ratio: number };
  latencyMs: { pipeline: Distribution; floor: Distribution };
}
interface ParseResults {
  scenarios: Record<string, { rps: number; p50Ms: number }>;
}

/** The results file a part wrote since `since` (its name starts with `prefix-`). */
function resultsOf<T>(prefix: string, since: number): T {
  const file = readdirSync(RESULTS_DIR)
    .filter((name) => name.startsWith(`${prefix}-`) && name.endsWith('.json'))
    .map((name) => join(RESULTS_DIR, name))
    .filter((path) => statSync(path).mtimeMs >= since)
    .sort()
    .pop();
  if (!file) throw new Error(`${prefix} wrote no results`);
  return JSON.parse(readFileSync(file, 'utf8'));
}

interface Row {
  figure: string;
  ours: string;
  floor?: string;
  ratio?: string;
  parse?: string;
  target: string;
  met: boolean | null;
}

const f0 = (value: number) => value.toFixed(0);
const mark = (met: boolean | null) => (met === null ? '–' : met ? 'met' : 'missed');

function apiRows(api: ApiResults, parse: ParseResults | undefined): Row[] {
  const rows: Row[] = [];
  const scenario = (name: string) => api.scenarios.find((s) => s.name === name);
  const targets: Record<string, { floor?: number; parse?: number; label: string }> = {
    framework: { label: 'GET /health/live (framework)' },
    get: { floor: 0.4, parse: 3, label: 'GET one invoice' },
    list: { floor: 0.5, parse: 2.5, label: 'GET 50 invoices (status filter)' },
    create: { floor: 0.35, parse: 1, label: 'POST a 3-line invoice + Idempotency-Key' },
    login: { label: 'POST /v1/auth/login (argon2id)' },
  };
  for (const [name, target] of Object.entries(targets)) {
    const s = scenario(name);
    if (!s) continue;
    const peer = parse?.scenarios?.[name];
    const versusParse = peer ? s.ours.rps / peer.rps : undefined;
    const goals = [
      target.floor === undefined ? null : s.ratio >= target.floor,
      target.parse === undefined || versusParse === undefined ? null : versusParse >= target.parse,
    ].filter((goal): goal is boolean => goal !== null);
    rows.push({
      figure: `${target.label}, req/s (p50)`,
      ours: `${f0(s.ours.rps)} (${s.ours.p50Ms} ms)`,
      floor: `${f0(s.floor.rps)} (${s.floor.p50Ms} ms)`,
      ratio: s.ratio.toFixed(2),
      parse: peer ? `${f0(peer.rps)} (${peer.p50Ms} ms) → ${versusParse!.toFixed(1)}×` : undefined,
      target:
        [
          target.floor === undefined ? '' : `≥ ${target.floor} of floor`,
          target.parse === undefined ? '' : `≥ ${target.parse}× Parse`,
        ]
          .filter(Boolean)
          .join(', ') || '–',
      met: goals.length ? goals.every(Boolean) : null,
    });
  }
  const [small, large] = api.scale ?? [];
  if (small && large) {
    for (const name of ['get', 'list'] as const) {
      const growth = large[name].p50Ms / Math.max(small[name].p50Ms, 1);
      rows.push({
        figure: `${name} p50 at ${large.invoices.toLocaleString('en')} vs ${small.invoices.toLocaleString('en')} invoices`,
        ours: `${large[name].p50Ms} ms vs ${small[name].p50Ms} ms`,
        ratio: growth.toFixed(2),
        target: '≤ 1.5×',
        met: growth <= 1.5,
      });
    }
  }
  const { roles, ...all } = api.memory;
  if (roles) {
    rows.push({
      figure: 'API process (APP_ROLE=api) RSS, peak under load',
      ours: `${f0(roles.api.rssPeakMb)} MB (at start ${f0(roles.api.rssAtStartMb)} MB)`,
      target: '< 200 MB',
      met: roles.api.rssPeakMb < 200,
    });
    rows.push({
      figure: 'Worker (APP_ROLE=worker) PSS with its browser, peak rendering',
      ours: `${f0(roles.worker.pssPeakMb)} MB (${roles.worker.processes} processes)`,
      target: '< 600 MB',
      met: roles.worker.pssPeakMb < 600,
    });
  }
  rows.push({
    figure: 'APP_ROLE=all process (API and workers) RSS, peak under load',
    ours: `${f0(all.apiRssPeakMb)} MB (idle ${f0(all.apiRssIdleMb)} MB)`,
    target: '–',
    met: null,
  });
  rows.push({
    figure: 'APP_ROLE=all PSS with its browser (node + Chromium tree)',
    ours: `${f0(all.appTreePssMb)} MB (${all.appTreeProcesses} processes)`,
    target: '–',
    met: null,
  });
  return rows;
}

function pdfRows(pdf: PdfResults): Row[] {
  const throughput = pdf.system.throughput;
  const floor = pdf.floor.reusedPage[String(pdf.settings.pdfConcurrency)];
  return [
    {
      figure: `PDFs through the queue, PDFs/s (concurrency ${pdf.settings.pdfConcurrency})`,
      ours: throughput.perSecond.toFixed(2),
      floor: `${floor.perSecond.toFixed(2)} (reused page)`,
      ratio: throughput.perSecondRatio.toFixed(2),
      target: '≥ 0.80 of floor',
      met: throughput.perSecondRatio >= 0.8,
    },
    {
      figure: 'finalize → PDF served, idle, p50 (p95)',
      ours: `${f0(pdf.system.finalizeToPdfMs.p50)} ms (${f0(pdf.system.finalizeToPdfMs.p95)} ms)`,
      floor: `${f0(pdf.floor.reusedPage['1'].ms.p50)} ms (the render alone)`,
      target: '< 300 ms',
      met: pdf.system.finalizeToPdfMs.p50 < 300,
    },
  ];
}

function webhookRows(webhooks: WebhookResults): Row[] {
  const { throughputPerSecond: throughput, latencyMs } = webhooks;
  return [
    {
      figure: 'Webhooks delivered, per second',
      ours: f0(throughput.pipeline),
      floor: `${f0(throughput.floor)} (keep-alive POSTs)`,
      ratio: throughput.ratio.toFixed(2),
      target: '≥ 0.30 of floor',
      met: throughput.ratio >= 0.3,
    },
    {
      figure: 'commit → first delivery attempt, p50 (p95)',
      ours: `${latencyMs.pipeline.p50.toFixed(1)} ms (${latencyMs.pipeline.p95.toFixed(1)} ms)`,
      floor: `${latencyMs.floor.p50.toFixed(2)} ms (one POST)`,
      target: '< 50 ms',
      met: latencyMs.pipeline.p50 < 50,
    },
  ];
}

function markdown(rows: Row[]): string {
  const lines = [
    '| figure | ours | floor | ratio | Parse Server | target | |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.figure} | ${row.ours} | ${row.floor ?? '–'} | ${row.ratio ?? '–'} | ${row.parse ?? '–'} | ${row.target} | ${mark(row.met)} |`,
    ),
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const startedAt = new Date();
  mkdirSync(RESULTS_DIR, { recursive: true });
  const since = startedAt.getTime();
  const results: { api?: ApiResults; pdf?: PdfResults; webhooks?: WebhookResults; parse?: ParseResults } = {};
  // Parse right before our API: the VM's speed drifts over minutes, and the two are compared directly.
  if (PARTS.includes('parse'))
    results.parse = JSON.parse(await runPart('parse', ['bench/parse-peer/run.mjs']));
  if (PARTS.includes('api')) {
    await runPart('api', [join(BUILD, 'bench/api.js')]);
    results.api = resultsOf<ApiResults>('api', since);
  }
  if (PARTS.includes('pdf')) {
    await runPart('pdf', [join(BUILD, 'bench/pdf.js')]);
    results.pdf = resultsOf<PdfResults>('pdf', since);
  }
  if (PARTS.includes('webhooks')) {
    await runPart('webhooks', [join(BUILD, 'bench/webhooks.js')]);
    results.webhooks = resultsOf<WebhookResults>('webhooks', since);
  }

  const rows = [
    ...(results.api ? apiRows(results.api, results.parse) : []),
    ...(results.pdf ? pdfRows(results.pdf) : []),
    ...(results.webhooks ? webhookRows(results.webhooks) : []),
  ];
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, load average ${os
    .loadavg()
    .map((load) => load.toFixed(1))
    .join(' ')} at the end`;
  const table = markdown(rows);
  const file = join(RESULTS_DIR, `bench-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ at: startedAt.toISOString(), machine, rows, results }, null, 2)}\n`,
  );
  log(`\n## Summary (${startedAt.toISOString()}; ${machine})\n\n${table}\n\nresults: ${file}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
