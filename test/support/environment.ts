import { type AppConfig, loadConfig } from '../../src/config/app-config.js';

import { testDatabaseUrl, testRedisUrl } from './test-services.js';

/**
 * This jest worker's database and Redis (test-services.js): TEST_DATABASE_URL and TEST_REDIS_URL, which
 * .ci/run and a developer's shell may set, name the first worker's, and each further worker takes the next.
 */
const worker = Number(process.env.JEST_WORKER_ID ?? 1);
export const TEST_DATABASE_URL = testDatabaseUrl(worker);
export const TEST_REDIS_URL = testRedisUrl(worker);

/** The Stripe webhook signing secret the test app verifies with; specs sign their payloads with it. */
export const TEST_STRIPE_WEBHOOK_SECRET = 'whsec_test_0123456789abcdef0123456789abcdef';

export function testConfig(overrides: NodeJS.ProcessEnv = {}): AppConfig {
  return loadConfig({
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: TEST_REDIS_URL,
    JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256-0123456789',
    APP_ROLE: 'all',
    // Tests send X-Forwarded-For to play many clients from one machine, as behind a load balancer.
    TRUST_PROXY: 'true',
    LOG_LEVEL: 'fatal',
    STRIPE_WEBHOOK_SECRET: TEST_STRIPE_WEBHOOK_SECRET,
    // .ci/run exports where it found Chromium; otherwise the default, Debian's /usr/bin/chromium.
    CHROMIUM_PATH: process.env.CHROMIUM_PATH,
    // No browser in every app: the PDF suites render on a private database and Redis (startPdfTestApp),
    // the only workers that see their invoices, while elsewhere issued invoices simply stay pending.
    WORKER_QUEUES: 'maintenance,webhooks',
    ...overrides,
  });
}
