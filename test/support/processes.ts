import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';

/** Child processes and ports for the fault tests: private redis-servers and worker processes, loopback only. */

/** A TCP port free on 127.0.0.1 right now (the OS picks it; closed again before it is answered). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A started child process: its output so far (for failure messages) and a stop that always settles. */
export interface Child {
  process: ChildProcess;
  output(): string;
  /** Whether it has exited. */
  exited(): boolean;
  /** Sends `signal` (SIGKILL by default) and waits for the exit, at most `timeoutMs`. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<void>;
}

export function startChild(command: string, args: string[], env: NodeJS.ProcessEnv): Child {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    // The tail is enough to say why a child failed.
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let hasExited = false;
  const exit = new Promise<void>((resolve) => {
    child.on('exit', () => {
      hasExited = true;
      resolve();
    });
    child.on('error', (error) => {
      keep(Buffer.from(`spawn failed: ${error.message}\n`));
      hasExited = true;
      resolve();
    });
  });
  return {
    process: child,
    output: () => output,
    exited: () => hasExited,
    async stop(signal: NodeJS.Signals = 'SIGKILL', timeoutMs = 10_000) {
      if (hasExited) return;
      child.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, timeoutMs);
      });
      await Promise.race([exit, late]).finally(() => clearTimeout(timer));
      await exit;
    },
  };
}

type Falsy = false | null | undefined | 0 | '';

/** Polls `check` until it answers something truthy, or fails after `timeoutMs` saying what it waited for. */
export async function waitFor<T>(
  check: () => Promise<T | Falsy> | T | Falsy,
  timeoutMs: number,
  what: string,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as T;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** The pids of the Chromium processes `pid` launched (Puppeteer starts the browser as its child). */
export async function chromiumChildrenOf(pid: number): Promise<number[]> {
  const { stdout } = await promisify(execFile)('pgrep', ['-P', String(pid), 'chrom']).catch(() => ({
    stdout: '',
  }));
  return stdout.split('\n').filter(Boolean).map(Number);
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * A private, empty, non-persistent redis-server on 127.0.0.1:`port`, answering once it accepts connections.
 * `extraArgs` override those defaults (e.g. `--appendonly yes --dir <dir>` for one that keeps its data).
 */
export async function startRedisServer(port: number, extraArgs: string[] = []): Promise<Child> {
  const child = startChild(
    'redis-server',
    [
      ...[
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
      ],
      ...extraArgs,
    ],
    { PATH: process.env.PATH },
  );
  try {
    await waitFor(
      () => {
        if (child.exited()) throw new Error(`redis-server exited:\n${child.output()}`);
        return /Ready to accept connections/.test(child.output());
      },
      10_000,
      `redis-server on port ${port}`,
    );
  } catch (error) {
    await child.stop();
    throw error;
  }
  return child;
}

/** The production build (`tsc -p tsconfig.build.json`, as `npm run build`) into `outDir`, inside the project. */
export async function compileProduction(outDir: string): Promise<void> {
  await promisify(execFile)('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', outDir], {
    cwd: process.cwd(),
    timeout: 120_000,
  });
}

/**
 * The node flags production starts the service with: those of package.json's `start` script, which the
 * Dockerfile's CMD repeats (processes.e2e-spec holds the two together).
 */
export const PRODUCTION_NODE_ARGS: string[] = (
  JSON.parse(readFileSync(path.join(process.cwd(), 'package.json'), 'utf8')) as { scripts: { start: string } }
).scripts.start
  .split(' ')
  .filter((arg) => arg.startsWith('--'));

/**
 * A service started as production starts it: `node <production flags> <build>/src/main.js`, env only (plus
 * PATH and PORT).
 */
export interface Service extends Child {
  port: number;
  url: string;
}

/**
 * Starts the compiled service and answers once it listens, which comes after its bootstrap. `nodeArgs` are
 * flags beyond production's (a profile).
 */
export async function startService(
  build: string,
  env: NodeJS.ProcessEnv,
  nodeArgs: string[] = [],
): Promise<Service> {
  const port = await freePort();
  const child = startChild('node', [...PRODUCTION_NODE_ARGS, ...nodeArgs, path.join(build, 'src/main.js')], {
    PATH: process.env.PATH,
    PORT: String(port),
    ...env,
  });
  try {
    await waitFor(
      () => {
        if (child.exited()) throw new Error(`${env.APP_ROLE ?? 'service'} exited:\n${child.output()}`);
        return accepting(port);
      },
      30_000,
      `the ${env.APP_ROLE ?? 'service'} to listen`,
      100,
    );
  } catch (error) {
    await child.stop();
    throw error;
  }
  return Object.assign(child, { port, url: `http://127.0.0.1:${port}` });
}

/** A process and every descendant (a browser's zygotes, renderers and helpers), read from /proc. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The parent pid is the 2nd field after the parenthesised command name.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // Gone meanwhile.
    }
  }
  const tree = [root];
  for (let index = 0; index < tree.length; index++) tree.push(...(children.get(tree[index]) ?? []));
  return tree;
}
