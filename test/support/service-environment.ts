import { testConfig } from './environment.js';

/**
 * The environment a test starts a compiled api or worker process with (startService): its database and Redis,
 * the test JWT secret, webhooks allowed to local receivers, and Chromium where the run found one; `overrides`
 * last.
 */
export function serviceEnvironment(
  role: 'api' | 'worker',
  databaseUrl: string,
  redisUrl: string,
  overrides: NodeJS.ProcessEnv = {},
): NodeJS.ProcessEnv {
  return {
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    JWT_SECRET: testConfig().jwtSecret,
    APP_ROLE: role,
    LOG_LEVEL: 'warn',
    WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
    ...(process.env.CHROMIUM_PATH ? { CHROMIUM_PATH: process.env.CHROMIUM_PATH } : {}),
    ...overrides,
  };
}
