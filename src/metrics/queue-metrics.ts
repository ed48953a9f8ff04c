import { WorkerHost } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { Job, JobType, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { Counter, Gauge, Histogram } from 'prom-client';
import { withTimeout } from '../common/with-timeout.js';
import { REDIS } from '../redis/redis.module.js';
import { Metrics } from './metrics.js';
import { registeredQueues } from '../queue/registered-queues.js';

export const QUEUE_STATES: JobType[] = ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized'];
/** A scrape waits this long for the queue counts at most; past it the queue gauge is left out. */
export const QUEUE_COUNTS_TIMEOUT_MS = 1000;

/**
 * Queue depth (read from Redis at scrape time) for every BullMQ queue registered in this process, and the
 * outcome and duration of every job its workers run. Queues and workers are found through Nest's
 * container, so a new queue or processor is measured without an edit here.
 */
@Injectable()
export class QueueMetrics implements OnApplicationBootstrap {
  private readonly logger = new Logger(QueueMetrics.name);

  readonly jobs: Gauge<'queue' | 'state'>;
  readonly processed: Counter<'queue' | 'outcome'>;
  readonly duration: Histogram<'queue'>;

  constructor(
    private readonly discovery: DiscoveryService,
    @Inject(REDIS) private readonly redis: Redis,
    metrics: Metrics,
  ) {
    const registers = [metrics.registry];
    const readDepths = () => this.readDepths();
    this.jobs = new Gauge({
      name: 'queue_jobs',
      help: 'Jobs in each BullMQ queue by state, read at scrape time (absent while Redis does not answer)',
      labelNames: ['queue', 'state'] as const,
      registers,
      collect: readDepths,
    });
    this.processed = new Counter({
      name: 'queue_jobs_processed_total',
      help: 'Jobs this process ran, by queue and outcome (a failed attempt counts once per attempt)',
      labelNames: ['queue', 'outcome'] as const,
      registers,
    });
    this.duration = new Histogram({
      name: 'queue_job_duration_seconds',
      help: 'Time a job attempt ran in this process, from pick-up to finish',
      labelNames: ['queue'] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
  }

  // Workers exist once @nestjs/bullmq's explorer ran (onModuleInit), so listen from bootstrap on.
  onApplicationBootstrap(): void {
    const workers = new Set<Worker>();
    for (const instance of this.instances()) {
      const worker = instance instanceof WorkerHost ? workerOf(instance) : undefined;
      if (worker) workers.add(worker);
    }
    for (const worker of workers) {
      worker.on('completed', (job) => this.observe(worker.name, job, 'completed'));
      worker.on('failed', (job) => this.observe(worker.name, job, 'failed'));
    }
  }

  private observe(queue: string, job: Job | undefined, outcome: 'completed' | 'failed'): void {
    this.processed.inc({ queue, outcome });
    if (job?.processedOn) {
      this.duration.observe({ queue }, ((job.finishedOn ?? Date.now()) - job.processedOn) / 1000);
    }
  }

  private async readDepths(): Promise<void> {
    this.jobs.reset();
    // Redis is away: answer the scrape now rather than queue more commands that cannot run.
    if (this.redis.status !== 'ready') return;
    const queues = registeredQueues(this.discovery);
    try {
      const counts = await withTimeout(
        Promise.all(queues.map((queue) => queue.getJobCounts(...QUEUE_STATES))),
        QUEUE_COUNTS_TIMEOUT_MS,
        () => new Error(`no answer within ${QUEUE_COUNTS_TIMEOUT_MS} ms`),
      );
      queues.forEach((queue, index) => {
        for (const state of QUEUE_STATES) {
          this.jobs.set({ queue: queue.name, state }, counts[index][state] ?? 0);
        }
      });
    } catch (error) {
      this.logger.warn(`Queue depths left out of the scrape: ${(error as Error).message}`);
    }
  }

  private *instances(): Iterable<unknown> {
    for (const wrapper of this.discovery.getProviders()) {
      if (wrapper.isDependencyTreeStatic()) yield wrapper.instance;
    }
  }
}

/** The host's worker, or undefined while it has none (a processor registered manually and not yet started). */
function workerOf(host: WorkerHost): Worker | undefined {
  try {
    return host.worker;
  } catch {
    return undefined;
  }
}
