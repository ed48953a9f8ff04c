// Load generation for the HTTP benchmarks: autocannon runs with a discarded warm-up, and process memory
// read from /proc while they run.
import { readdirSync, readFileSync } from 'node:fs';
import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  method?: 'GET' | 'POST';
  /** Called for every request: its path, and for a POST its body; headers are merged over `headers`. */
  request: () => { path: string; body?: string; headers?: Record<string, string> };
  headers?: Record<string, string>;
  connections: number;
  durationS: number;
  warmupS?: number;
}

export interface LoadFigures {
  /** Answers per second, 2xx only. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  errors: number;
  /** Mean response size, headers included. */
  bytesPerResponse: number;
}

function run(options: LoadOptions, durationS: number): Promise<autocannon.Result> {
  const method = options.method ?? 'GET';
  return autocannon({
    url: options.url,
    connections: options.connections,
    duration: durationS,
    requests: [
      {
        method,
        setupRequest: (request) => {
          const { path, body, headers } = options.request();
          return {
            ...request,
            path,
            body,
            headers: {
              ...options.headers,
              ...(body === undefined ? {} : { 'content-type': 'application/json' }),
              ...headers,
            },
          };
        },
      },
    ],
  });
}

/** Throughput and latency of `options.request` for `durationS`, after a warm-up run that is thrown away. */
export async function load(options: LoadOptions): Promise<LoadFigures> {
  if (options.warmupS !== 0) await run(options, options.warmupS ?? 2);
  const result = await run(options, options.durationS);
  return {
    rps: result['2xx'] / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    bytesPerResponse: Math.round(result.throughput.total / Math.max(result.requests.total, 1)),
  };
}

/** Resident set of one process, in MB. */
export function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : 0;
}

/** CPU time a process has used so far (user + system), in ms. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const [utime, stime] = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .slice(11, 13)
    .map(Number);
  return ((utime + stime) * 1000) / 100; // USER_HZ is 100 on Linux
}

/** Proportional set size summed over processes (shared pages split between sharers), in MB. */
export function pssMb(pids: number[]): number {
  let kb = 0;
  for (const pid of pids) {
    try {
      const match = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      kb += match ? Number(match[1]) : 0;
    } catch {
      // Gone meanwhile.
    }
  }
  return kb / 1024;
}

/** The highest value `sample` reads while `work` runs, sampled every `everyMs`. */
export async function peakOf<T>(
  sample: () => number,
  work: () => Promise<T>,
  everyMs = 200,
): Promise<{ result: T; peak: number }> {
  let peak = sample();
  const timer = setInterval(() => (peak = Math.max(peak, sample())), everyMs);
  try {
    return { result: await work(), peak: Math.max(peak, sample()) };
  } finally {
    clearInterval(timer);
  }
}

/** The highest RSS `pid` reaches while `work` runs. */
export async function peakRss<T>(
  pid: number,
  work: () => Promise<T>,
): Promise<{ result: T; peakMb: number }> {
  const { result, peak } = await peakOf(() => rssMb(pid), work);
  return { result, peakMb: peak };
}

/** Chromium processes on the machine outside `tree`: they share its code pages, which lowers its PSS. */
export function otherChromiumProcesses(tree: number[]): number {
  return readdirSync('/proc').filter((entry) => {
    if (!/^\d+$/.test(entry) || tree.includes(Number(entry))) return false;
    try {
      return readFileSync(`/proc/${entry}/comm`, 'utf8').startsWith('chromium');
    } catch {
      return false; // gone meanwhile
    }
  }).length;
}
