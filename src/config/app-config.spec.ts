import { InvalidEnvironmentError, loadConfig, loadDatabaseUrl } from './app-config.js';

const GOOD_ENV = {
  DATABASE_URL: 'postgres://app@db.internal:5432/invoicing',
  REDIS_URL: 'redis://cache.internal:6379/0',
  JWT_SECRET: 'a-secret-that-is-at-least-32-characters-long',
};

/** The message loadConfig throws for `env`, or fails the test when it accepts it. */
function rejection(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidEnvironmentError);
    return (error as Error).message;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('accepts a good environment and applies the defaults', () => {
    const sut = loadConfig(GOOD_ENV);

    expect(sut).toMatchObject({
      port: 3000,
      role: 'all',
      databaseUrl: GOOD_ENV.DATABASE_URL,
      redisUrl: GOOD_ENV.REDIS_URL,
      jwtSecret: GOOD_ENV.JWT_SECRET,
      trustProxy: false,
      logLevel: 'log',
      publicBaseUrl: 'http://localhost:3000',
      stripeWebhookSecret: null,
      workerQueues: ['maintenance', 'webhooks', 'pdf'],
      chromiumPath: '/usr/bin/chromium',
      pdfConcurrency: 2,
      sessionCacheTtlMs: 5000,
    });
  });

  it('reads the optional variables when they are set', () => {
    const sut = loadConfig({
      ...GOOD_ENV,
      PORT: '8080',
      APP_ROLE: 'worker',
      TRUST_PROXY: 'true',
      LOG_LEVEL: 'warn',
      PUBLIC_BASE_URL: 'https://billing.example.com/',
      STRIPE_WEBHOOK_SECRET: 'whsec_0123456789abcdef',
      WORKER_QUEUES: 'pdf,webhooks',
      CHROMIUM_PATH: '/opt/chrome/chrome',
      PDF_CONCURRENCY: '4',
      SESSION_CACHE_TTL_MS: '0',
    });

    expect(sut).toMatchObject({
      sessionCacheTtlMs: 0,
      workerQueues: ['webhooks', 'pdf'],
      chromiumPath: '/opt/chrome/chrome',
      pdfConcurrency: 4,
      port: 8080,
      role: 'worker',
      trustProxy: true,
      logLevel: 'warn',
      publicBaseUrl: 'https://billing.example.com',
      stripeWebhookSecret: 'whsec_0123456789abcdef',
    });
  });

  it("reads TRUST_PROXY as the proxies' addresses and subnets when it lists them", () => {
    const proxies = 'loopback, 10.0.0.0/8,192.168.1.7, fd00::/8, ::1';

    expect(loadConfig({ ...GOOD_ENV, TRUST_PROXY: proxies }).trustProxy).toBe(proxies);
  });

  it('treats an empty PORT, TRUST_PROXY or STRIPE_WEBHOOK_SECRET as unset, keeping the default', () => {
    expect(loadConfig({ ...GOOD_ENV, PORT: '', TRUST_PROXY: '', STRIPE_WEBHOOK_SECRET: '' })).toMatchObject({
      port: 3000,
      trustProxy: false,
      stripeWebhookSecret: null,
    });
  });

  it.each<[string, NodeJS.ProcessEnv, string]>([
    ['DATABASE_URL is missing', { ...GOOD_ENV, DATABASE_URL: undefined }, 'DATABASE_URL'],
    ['DATABASE_URL is not postgres', { ...GOOD_ENV, DATABASE_URL: 'mysql://db/app' }, 'DATABASE_URL'],
    ['REDIS_URL is missing', { ...GOOD_ENV, REDIS_URL: undefined }, 'REDIS_URL'],
    ['JWT_SECRET is missing', { ...GOOD_ENV, JWT_SECRET: undefined }, 'JWT_SECRET'],
    ['JWT_SECRET is short', { ...GOOD_ENV, JWT_SECRET: 'too-short' }, 'JWT_SECRET'],
    ['APP_ROLE is banana', { ...GOOD_ENV, APP_ROLE: 'banana' }, 'APP_ROLE'],
    ['PORT is abc', { ...GOOD_ENV, PORT: 'abc' }, 'PORT'],
    ['PORT is out of range', { ...GOOD_ENV, PORT: '70000' }, 'PORT'],
    ['TRUST_PROXY is yes', { ...GOOD_ENV, TRUST_PROXY: 'yes' }, 'TRUST_PROXY'],
    ['TRUST_PROXY is a hop count', { ...GOOD_ENV, TRUST_PROXY: '1' }, 'TRUST_PROXY'],
    ['TRUST_PROXY lists half an address', { ...GOOD_ENV, TRUST_PROXY: 'loopback,10.0' }, 'TRUST_PROXY'],
    ['TRUST_PROXY lists a /33', { ...GOOD_ENV, TRUST_PROXY: '10.0.0.0/33' }, 'TRUST_PROXY'],
    ['TRUST_PROXY lists nothing after a comma', { ...GOOD_ENV, TRUST_PROXY: 'loopback,' }, 'TRUST_PROXY'],
    ['LOG_LEVEL is loud', { ...GOOD_ENV, LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    ['WORKER_QUEUES names an unknown queue', { ...GOOD_ENV, WORKER_QUEUES: 'pdf,emails' }, 'WORKER_QUEUES'],
    ['WORKER_QUEUES is empty-listed', { ...GOOD_ENV, WORKER_QUEUES: 'pdf,' }, 'WORKER_QUEUES'],
    ['PDF_CONCURRENCY is 0', { ...GOOD_ENV, PDF_CONCURRENCY: '0' }, 'PDF_CONCURRENCY'],
    ['PDF_CONCURRENCY is 17', { ...GOOD_ENV, PDF_CONCURRENCY: '17' }, 'PDF_CONCURRENCY'],
    ['SESSION_CACHE_TTL_MS is negative', { ...GOOD_ENV, SESSION_CACHE_TTL_MS: '-1' }, 'SESSION_CACHE_TTL_MS'],
    [
      'SESSION_CACHE_TTL_MS is a minute and more',
      { ...GOOD_ENV, SESSION_CACHE_TTL_MS: '60001' },
      'SESSION_CACHE_TTL_MS',
    ],
    [
      'SESSION_CACHE_TTL_MS is in seconds',
      { ...GOOD_ENV, SESSION_CACHE_TTL_MS: '5s' },
      'SESSION_CACHE_TTL_MS',
    ],
    [
      'STRIPE_WEBHOOK_SECRET is an API key',
      { ...GOOD_ENV, STRIPE_WEBHOOK_SECRET: 'sk_live_123' },
      'STRIPE_WEBHOOK_SECRET',
    ],
  ])('refuses the environment when %s, naming the variable', (_case, env, variable) => {
    const message = rejection(env);
    expect(message).toMatch(new RegExp(`^\\s*${variable}: `, 'm'));
  });

  it('reads the dashboard credentials when both are set, and leaves the dashboard off when neither is', () => {
    expect(
      loadConfig({ ...GOOD_ENV, ADMIN_USER: 'ops', ADMIN_PASSWORD: 'a-long-admin-password' }).admin,
    ).toEqual({
      user: 'ops',
      password: 'a-long-admin-password',
    });
    expect(loadConfig(GOOD_ENV).admin).toBeNull();
    expect(loadConfig({ ...GOOD_ENV, ADMIN_USER: '', ADMIN_PASSWORD: '' }).admin).toBeNull();
  });

  it.each<[string, NodeJS.ProcessEnv, string, string]>([
    [
      'ADMIN_USER without ADMIN_PASSWORD',
      { ADMIN_USER: 'ops' },
      'ADMIN_PASSWORD',
      'must be set when ADMIN_USER is',
    ],
    [
      'ADMIN_PASSWORD without ADMIN_USER',
      { ADMIN_PASSWORD: 'a-long-admin-password' },
      'ADMIN_USER',
      'must be set when ADMIN_PASSWORD is',
    ],
    [
      'a short ADMIN_PASSWORD',
      { ADMIN_USER: 'ops', ADMIN_PASSWORD: 'short' },
      'ADMIN_PASSWORD',
      'at least 12',
    ],
  ])('refuses %s, naming the missing or bad variable', (_case, admin, variable, why) => {
    const message = rejection({ ...GOOD_ENV, ...admin });
    expect(message).toMatch(new RegExp(`^\\s*${variable}: .*${why}`, 'm'));
    expect(message).not.toContain('a-long-admin-password');
  });

  it('names only the bad variable', () => {
    const message = rejection({ ...GOOD_ENV, APP_ROLE: 'banana' });
    for (const fine of ['DATABASE_URL', 'REDIS_URL', 'JWT_SECRET', 'PORT']) {
      expect(message).not.toContain(fine);
    }
  });

  it('names every bad variable at once', () => {
    const message = rejection({ REDIS_URL: GOOD_ENV.REDIS_URL, JWT_SECRET: 'short', PORT: 'abc' });
    for (const bad of ['DATABASE_URL', 'JWT_SECRET', 'PORT'])
      expect(message).toMatch(new RegExp(`^\\s*${bad}: `, 'm'));
  });

  it('says why a short JWT_SECRET is refused', () => {
    expect(rejection({ ...GOOD_ENV, JWT_SECRET: 'short' })).toContain('at least 32 characters');
  });

  it('keeps the secret out of the message', () => {
    expect(rejection({ ...GOOD_ENV, JWT_SECRET: 'short-secret-value' })).not.toContain('short-secret-value');
  });
});

describe('loadDatabaseUrl', () => {
  it('needs only DATABASE_URL', () => {
    expect(loadDatabaseUrl({ DATABASE_URL: GOOD_ENV.DATABASE_URL })).toBe(GOOD_ENV.DATABASE_URL);
  });

  it('refuses a missing DATABASE_URL, naming it', () => {
    expect(() => loadDatabaseUrl({})).toThrow(/DATABASE_URL/);
  });
});
