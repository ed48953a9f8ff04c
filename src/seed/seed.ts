import 'reflect-metadata';
import { InvalidEnvironmentError, loadConfig } from '../config/app-config.js';
import { SeedError } from './seed-client.js';
import { seed, type SeedOptions } from './seed-demo.js';
import { formatSeedReport } from './seed-report.js';

/** If a handle still holds the process this long after the app closed, exit anyway (a last resort). */
const EXIT_GRACE_MS = 10_000;

/** The seed's own knobs; read after loadConfig(), so a .env file can set them too. */
function seedOptions(env: NodeJS.ProcessEnv): SeedOptions {
  return {
    password: env.SEED_PASSWORD || undefined,
    webhookUrl: env.SEED_WEBHOOK_URL || undefined,
  };
}

async function main(): Promise<void> {
  const config = loadConfig();
  const result = await seed(config, seedOptions(process.env));
  process.stdout.write(formatSeedReport(result));
}

main()
  .then(
    () => {
      process.exitCode = 0;
    },
    (error: unknown) => {
      // The operator's to fix (environment, migrations, a refused step): the message alone, no stack trace.
      const known = error instanceof InvalidEnvironmentError || error instanceof SeedError;
      process.stderr.write(`Seed failed: ${known ? (error as Error).message : (error as Error).stack}\n`);
      process.exitCode = 1;
    },
  )
  .finally(() => {
    setTimeout(() => {
      process.stderr.write(`Handles still open ${EXIT_GRACE_MS} ms after the seed finished: exiting\n`);
      process.exit();
    }, EXIT_GRACE_MS).unref();
  });
