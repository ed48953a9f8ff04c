import { type AppConfig, loadConfig } from '../../src/config/app-config.js';

/** The test database and Redis; .ci/run and a developer's shell may point them elsewhere. */
export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/invoicing_test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15';

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
