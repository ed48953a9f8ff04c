// First: the heap's growth is set before the modules below fill it.
import './heap-growth.js';
import 'reflect-metadata';
import { createApp } from './app.factory.js';
import { InvalidEnvironmentError, loadConfig } from './config/app-config.js';

/**
 * How long a stopping process may spend finishing what is in flight (requests, a webhook attempt of at most
 * 15 s, a render of at most 20 s) before it exits anyway: within the 30 s orchestrators usually allow.
 */
const SHUTDOWN_BOUND_MS = 25_000;

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  // Nest's shutdown hooks stop taking requests and jobs, let those in flight finish and close the pools.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      setTimeout(() => {
        process.stderr.write(`Still stopping after ${SHUTDOWN_BOUND_MS} ms: exiting anyway\n`);
        process.exit(1);
      }, SHUTDOWN_BOUND_MS).unref();
    });
  }
  await app.listen({ port: config.port, host: '0.0.0.0' });
}

main().catch((error: unknown) => {
  // A bad environment is the operator's to fix: say which variable, without a stack trace.
  process.stderr.write(
    `${error instanceof InvalidEnvironmentError ? error.message : (error as Error).stack}\n`,
  );
  process.exit(1);
});
