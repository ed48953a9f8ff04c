import 'reflect-metadata';
import { createSecretKey, type KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateBy,
  ValidateIf,
  validateSync,
} from 'class-validator';

export const APP_ROLES = ['api', 'worker', 'all'] as const;
export type AppRole = (typeof APP_ROLES)[number];

/** The queues a worker process can work; each comes with its producers (dispatchers, relay, schedules). */
export const WORKER_QUEUES = ['maintenance', 'webhooks', 'pdf'] as const;
export type WorkerQueue = (typeof WORKER_QUEUES)[number];

const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : Number(value);
const toBool = ({ value }: { value: unknown }) =>
  value === undefined || value === ''
    ? undefined
    : value === 'true'
      ? true
      : value === 'false'
        ? false
        : value;
const toOptionalString = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

/**
 * Whose X-Forwarded-For entries to believe: `true` all of them (the client is the left-most entry, as the
 * client wrote it), or the proxies' own addresses and subnets, so that the client is the right-most entry no
 * listed proxy added and a client cannot pick its address by writing the header itself.
 */
export type TrustProxy = boolean | string;
const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];
/** An address, a subnet (`address/prefix`) or one of the names Fastify's proxy-addr knows. */
function isProxy(entry: string): boolean {
  if (PROXY_NAMES.includes(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128));
}
const isTrustProxy = (value: unknown) =>
  typeof value === 'boolean' ||
  (typeof value === 'string' && value.split(',').every((entry) => isProxy(entry.trim())));
const adminCredentialsGiven = (env: { ADMIN_USER?: string; ADMIN_PASSWORD?: string }) =>
  env.ADMIN_USER !== undefined || env.ADMIN_PASSWORD !== undefined;

/** What the migration CLI needs: the database alone. */
class DatabaseEnvironment {
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'must be a postgres:// URL' })
  DATABASE_URL!: string;
}

/** The process environment as this service reads it; every variable is checked once, at boot. */
class Environment extends DatabaseEnvironment {
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number = 3000;

  @Matches(/^rediss?:\/\/.+/, { message: 'must be a redis:// URL' })
  REDIS_URL!: string;

  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters' })
  JWT_SECRET!: string;

  @IsOptional()
  @IsIn(APP_ROLES)
  APP_ROLE: AppRole = 'all';

  // Which queues a worker (or all-role) process works: all by default. Split them to scale PDF rendering
  // (with its browser) apart from webhook delivery.
  @IsOptional()
  @Matches(new RegExp(`^(${WORKER_QUEUES.join('|')})(,(${WORKER_QUEUES.join('|')}))*$`), {
    message: `must be a comma-separated list of ${WORKER_QUEUES.join(', ')}`,
  })
  WORKER_QUEUES: string = WORKER_QUEUES.join(',');

  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  PUBLIC_BASE_URL: string = 'http://localhost:3000';

  // Behind a load balancer, take the client address from X-Forwarded-For (login throttling needs it).
  @IsOptional()
  @Transform(toBool)
  @ValidateBy({
    name: 'isTrustProxy',
    validator: {
      validate: isTrustProxy,
      defaultMessage: () =>
        "must be true, false, or the proxies' addresses and subnets (e.g. 10.0.0.0/8,loopback)",
    },
  })
  TRUST_PROXY: TrustProxy = false;

  // How long an API process may answer from memory who a session's caller is; 0 looks every request up.
  // Revocations reach every process at once through Postgres notifications; this bounds a lost one.
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(60_000)
  SESSION_CACHE_TTL_MS: number = 5000;

  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'log' | 'debug' | 'verbose' = 'log';

  // The signing secret of the Stripe webhook endpoint; unset, POST /v1/integrations/stripe/webhook answers 404.
  @IsOptional()
  @Transform(toOptionalString)
  @Matches(/^whsec_\S+$/, { message: 'must be a Stripe webhook signing secret (whsec_…)' })
  STRIPE_WEBHOOK_SECRET?: string;

  // Webhook URLs on loopback, private or metadata addresses are refused unless this is true (local tests).
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  WEBHOOK_ALLOW_PRIVATE_URLS: boolean = false;

  // Seconds to wait before each retry of a failed webhook delivery; the delivery fails after the last.
  @IsOptional()
  @Matches(/^\d+(,\d+)*$/, { message: 'must be a comma-separated list of whole seconds, e.g. 5,300,1800' })
  WEBHOOK_RETRY_SCHEDULE: string = '5,300,1800,7200,18000,36000,36000';

  // Webhook deliveries one worker process sends at once; a slow endpoint holds one slot for at most 15 s.
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  WEBHOOK_CONCURRENCY: number = 10;

  // The Chromium (or Chrome) binary workers print PDFs with; Debian's package installs /usr/bin/chromium.
  @IsOptional()
  @Transform(toOptionalString)
  @IsString()
  CHROMIUM_PATH: string = '/usr/bin/chromium';

  // PDFs one worker process renders at once, each in its own warm browser page (about 100 ms apiece).
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(16)
  PDF_CONCURRENCY: number = 2;

  // Basic-auth credentials of the queue dashboard at /admin/queues; unset, the dashboard is not served.
  // Set both or neither: one alone would silently leave the dashboard off.
  @ValidateIf(adminCredentialsGiven)
  @Transform(toOptionalString)
  @IsDefined({ message: 'must be set when ADMIN_PASSWORD is' })
  @IsString()
  ADMIN_USER?: string;

  @ValidateIf(adminCredentialsGiven)
  @Transform(toOptionalString)
  @IsDefined({ message: 'must be set when ADMIN_USER is' })
  @IsString()
  @MinLength(12, { message: 'must be at least 12 characters' })
  ADMIN_PASSWORD?: string;
}

/** Typed configuration, read by the rest of the code instead of process.env. */
export class AppConfig {
  readonly port: number;
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly jwtSecret: string;
  /**
   * The secret as a KeyObject: jsonwebtoken otherwise tries (and fails) to parse a string as a public key on
   * every verify, which was a tenth of the API's CPU.
   */
  readonly jwtKey: KeyObject;
  readonly role: AppRole;
  /** The queues this process works when it runs workers. */
  readonly workerQueues: WorkerQueue[];
  readonly publicBaseUrl: string;
  readonly trustProxy: TrustProxy;
  readonly sessionCacheTtlMs: number;
  readonly logLevel: Environment['LOG_LEVEL'];
  readonly stripeWebhookSecret: string | null;
  readonly webhookAllowPrivateUrls: boolean;
  /** Seconds before retry 1, 2, … of a webhook delivery. */
  readonly webhookRetrySchedule: number[];
  /** Deliveries one worker process sends at once. */
  readonly webhookConcurrency: number;
  readonly chromiumPath: string;
  /** PDFs one worker process renders at once. */
  readonly pdfConcurrency: number;
  readonly admin: { user: string; password: string } | null;

  constructor(env: Environment) {
    this.port = env.PORT;
    this.databaseUrl = env.DATABASE_URL;
    this.redisUrl = env.REDIS_URL;
    this.jwtSecret = env.JWT_SECRET;
    this.jwtKey = createSecretKey(Buffer.from(env.JWT_SECRET));
    this.role = env.APP_ROLE;
    this.workerQueues = WORKER_QUEUES.filter((queue) => env.WORKER_QUEUES.split(',').includes(queue));
    this.publicBaseUrl = env.PUBLIC_BASE_URL.replace(/\/$/, '');
    this.trustProxy = env.TRUST_PROXY;
    this.sessionCacheTtlMs = env.SESSION_CACHE_TTL_MS;
    this.logLevel = env.LOG_LEVEL;
    this.stripeWebhookSecret = env.STRIPE_WEBHOOK_SECRET ?? null;
    this.webhookAllowPrivateUrls = env.WEBHOOK_ALLOW_PRIVATE_URLS;
    this.webhookRetrySchedule = env.WEBHOOK_RETRY_SCHEDULE.split(',').map(Number);
    this.webhookConcurrency = env.WEBHOOK_CONCURRENCY;
    this.chromiumPath = env.CHROMIUM_PATH;
    this.pdfConcurrency = env.PDF_CONCURRENCY;
    this.admin =
      env.ADMIN_USER && env.ADMIN_PASSWORD ? { user: env.ADMIN_USER, password: env.ADMIN_PASSWORD } : null;
  }
}

export class InvalidEnvironmentError extends Error {}

function validated<T extends object>(schema: new () => T, source: NodeJS.ProcessEnv): T {
  // exposeUnsetFields: false keeps a field's default when its transform turns '' into undefined (PORT=).
  const env = plainToInstance(schema, { ...source }, { exposeDefaultValues: true, exposeUnsetFields: false });
  const problems = validateSync(env).map(
    (error) => `${error.property}: ${Object.values(error.constraints ?? {}).join(', ')}`,
  );
  if (problems.length > 0) {
    throw new InvalidEnvironmentError(`Invalid environment:\n  ${problems.join('\n  ')}`);
  }
  return env;
}

/** The process environment, with a local .env file filling in what is not set (a laptop convenience). */
function processEnvironment(): NodeJS.ProcessEnv {
  if (existsSync('.env')) process.loadEnvFile('.env');
  return process.env;
}

/** Validates the environment; the error names every bad variable and why. */
export function loadConfig(source: NodeJS.ProcessEnv = processEnvironment()): AppConfig {
  return new AppConfig(validated(Environment, source));
}

export function loadDatabaseUrl(source: NodeJS.ProcessEnv = processEnvironment()): string {
  return validated(DatabaseEnvironment, source).DATABASE_URL;
}
