import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { JobsOptions, Queue } from 'bullmq';

export const WEBHOOKS_QUEUE = 'webhooks';
export const DELIVER_JOB = 'deliver';

/** One attempt of one delivery: `attempts` is how many the delivery had when it was enqueued. */
export interface DueAttempt {
  deliveryId: string;
  attempts: number;
  endpointId: string;
  /** The request that made the event, traced through the attempt's logs. */
  requestId?: string | null;
}

/** Attempts of deliveries to one endpoint, made by one job (its requests take the worker's send slots). */
export interface WebhookDeliveryJob {
  deliveries: DueAttempt[];
}

/** An attempt's claim, for the job that carries it. */
interface Claim {
  jobId: string;
  attempt: DueAttempt;
}

/** Most attempts one job carries: one job and one record statement for many deliveries. */
const ATTEMPTS_PER_JOB = 50;

// Jobs waiting beyond which the dispatcher stops enqueuing: a burst waits in Postgres, not in Redis.
const MAX_WAITING_JOBS = 100;

// The longest an attempt stays claimed: a bound, as the job that holds a claim releases it when it ends.
const CLAIM_TTL_MS = 15 * 60 * 1000;
// A claim whose job is not in the queue this long after it was made was left by a dispatcher that died between
// claiming and adding the job: it lapses. Adding a job takes one round trip after the claim.
export const ORPHAN_CLAIM_GRACE_MS = 10_000;

/**
 * Claims many attempts in one round trip, each for the job that will carry it (a claim holds `jobId@ms`):
 * 1 for each key claimed now or held by that job already, 0 for one held by another job in the queue, or by
 * one being added. KEYS: claim keys; ARGV: TTL, grace, the job keys' prefix, then the job id for each key.
 */
const CLAIM = `
  local time = redis.call('TIME')
  local now = time[1] * 1000 + math.floor(time[2] / 1000)
  local claimed = {}
  for i, key in ipairs(KEYS) do
    local holder = redis.call('GET', key)
    local free = not holder
    local held = false
    if holder then
      local job, at = string.match(holder, '^(.+)@(%d+)$')
      held = job == ARGV[3 + i]
      free = job ~= nil and tonumber(at) < now - tonumber(ARGV[2]) and redis.call('EXISTS', ARGV[3] .. job) == 0
    end
    if free then
      redis.call('SET', key, ARGV[3 + i] .. '@' .. now, 'PX', ARGV[1])
    end
    claimed[i] = (free or held) and 1 or 0
  end
  return claimed`;

/** Drops the claims that name the given job, and no other job's. KEYS: claim keys; ARGV: the job id of each key. */
const RELEASE = `
  for i, key in ipairs(KEYS) do
    local holder = redis.call('GET', key)
    if holder and string.match(holder, '^(.+)@%d+$') == ARGV[i] then
      redis.call('DEL', key)
    end
  end
  return 0`;

// Retries here cover the worker's own trouble (Postgres away), not the endpoint's: those are rows in
// webhook_deliveries, which also keep the history. Jobs are removed once done and their claims released,
// so the dispatcher can always enqueue an attempt again (a redelivery, a job that failed for good).
const JOB_OPTIONS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: true,
  removeOnFail: true,
};

/** The only code that knows the `webhooks` queue, its job options and its claims. */
@Injectable()
export class WebhookDeliveryProducer {
  private readonly logger = new Logger(WebhookDeliveryProducer.name);

  constructor(@InjectQueue(WEBHOOKS_QUEUE) private readonly queue: Queue<WebhookDeliveryJob>) {
    queue.on('error', (error) => this.logger.warn(`Webhooks queue: ${error.message}`));
  }

  /**
   * Enqueues the due attempts not already queued, in jobs of up to ATTEMPTS_PER_JOB for one endpoint. Each
   * attempt is claimed in Redis first for its job, so enqueuing it again (another dispatcher, the next poll)
   * is a no-op while that job is in the queue; the claims live in the queue's Redis, so a Redis that lost its
   * jobs lost them too. Answers how many attempts were enqueued.
   */
  async enqueue(due: DueAttempt[]): Promise<number> {
    if (due.length === 0) return 0;
    const jobs = byEndpoint(due).map((deliveries) => ({ jobId: randomUUID(), deliveries }));
    const offered = jobs.flatMap(({ jobId, deliveries }) =>
      deliveries.map((attempt) => ({ jobId, attempt })),
    );
    const answers = await this.claim(offered);
    const claimed = new Set(offered.filter((_, i) => answers[i]).map(({ attempt }) => attempt));
    const added = jobs
      .map(({ jobId, deliveries }) => ({ jobId, deliveries: deliveries.filter((a) => claimed.has(a)) }))
      .filter(({ deliveries }) => deliveries.length > 0)
      .map(({ jobId, deliveries }) => ({
        name: DELIVER_JOB,
        data: { deliveries },
        opts: { ...JOB_OPTIONS, jobId },
      }));
    await this.queue.addBulk(added).catch(async (error: unknown) => {
      await this.releaseClaims(offered.filter(({ attempt }) => claimed.has(attempt))).catch(() => undefined);
      throw error;
    });
    return claimed.size;
  }

  /**
   * The attempts a job starting now may make: those whose claim it holds or takes. Its other attempts are
   * another job's, so two jobs never make one attempt at once, even when a Redis restarted between a claim
   * and its job's adding (the job lands without its claim, and the attempt is claimed again for another).
   */
  async take(jobId: string, attempts: DueAttempt[]): Promise<DueAttempt[]> {
    const answers = await this.claim(attempts.map((attempt) => ({ jobId, attempt })));
    return attempts.filter((_, i) => answers[i]);
  }

  /** Whether enough jobs wait already for the workers to be busy until the next dispatch. */
  async backlogged(): Promise<boolean> {
    return (await this.queue.getWaitingCount()) >= MAX_WAITING_JOBS;
  }

  /** Lets the dispatcher enqueue these attempts again (their job is over), where this job still holds them. */
  release(jobId: string, attempts: DueAttempt[]): Promise<void> {
    return this.releaseClaims(attempts.map((attempt) => ({ jobId, attempt })));
  }

  /** Claims each attempt for its job; answers, for each, whether that job holds the claim now. */
  private async claim(offered: Claim[]): Promise<boolean[]> {
    if (offered.length === 0) return [];
    const client = await this.queue.getBackend().client;
    const answers: number[] = await client.runCommand('eval', [
      CLAIM,
      offered.length,
      ...offered.map(({ attempt }) => this.claimKey(attempt)),
      CLAIM_TTL_MS,
      ORPHAN_CLAIM_GRACE_MS,
      `${this.queue.qualifiedName}:`,
      ...offered.map(({ jobId }) => jobId),
    ]);
    return answers.map((answer) => answer === 1);
  }

  private async releaseClaims(claims: Claim[]): Promise<void> {
    if (claims.length === 0) return;
    const client = await this.queue.getBackend().client;
    await client.runCommand('eval', [
      RELEASE,
      claims.length,
      ...claims.map(({ attempt }) => this.claimKey(attempt)),
      ...claims.map(({ jobId }) => jobId),
    ]);
  }

  /** The Redis key of an attempt's claim; its value is `<job id>@<claimed at, ms>`. */
  claimKey(attempt: DueAttempt): string {
    return `${this.queue.qualifiedName}:claim:${attempt.deliveryId}:${attempt.attempts}`;
  }
}

/** Groups attempts by endpoint, in their order, in chunks of at most ATTEMPTS_PER_JOB. */
function byEndpoint(attempts: DueAttempt[]): DueAttempt[][] {
  const open = new Map<string, DueAttempt[]>();
  const chunks: DueAttempt[][] = [];
  for (const attempt of attempts) {
    let chunk = open.get(attempt.endpointId);
    if (!chunk || chunk.length === ATTEMPTS_PER_JOB) {
      chunk = [];
      open.set(attempt.endpointId, chunk);
      chunks.push(chunk);
    }
    chunk.push(attempt);
  }
  return chunks;
}
