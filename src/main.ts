import 'reflect-metadata';
import { createApp } from './app.factory.js';
import { InvalidEnvironmentError, loadConfig } from './config/app-config.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  await app.listen({ port: config.port, host: '0.0.0.0' });
}

main().catch((error: unknown) => {
  // A bad environment is the operator's to fix: say which variable, without a stack trace.
  process.stderr.write(
    `${error instanceof InvalidEnvironmentError ? error.message : (error as Error).stack}\n`,
  );
  process.exit(1);
});
