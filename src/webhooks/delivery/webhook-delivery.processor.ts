import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { withRequestId } from '../../common/tracing/request-context.js';
import { AppConfig } from '../../config/app-config.js';
import { Metrics, type WebhookOutcome } from '../../metrics/metrics.js';
import { REDIS } from '../../redis/redis.module.js';
import { type AttemptRecord, WebhookAttempts } from './webhook-attempts.js';
import { type WebhookDeliveryJob, WEBHOOKS_QUEUE } from './webhook-delivery.producer.js';
import { WebhookSender } from './webhook-sender.js';
import { signatureHeaders, webhookPayload } from './webhook-signature.js';

// The metric's label for what an attempt led to ('stale': another worker had recorded it already).
const OUTCOME: Record<AttemptRecord, WebhookOutcome> = {
  succeeded: 'succeeded',
  retry: 'retrying',
  failed: 'failed',
  gone: 'gone',
  stale: 'stale',
};

/**
 * Makes one attempt of one delivery: sign, POST (outside any transaction), then record what happened.
 * Runs `webhookConcurrency` attempts at once, so a slow endpoint (at most 15 s each) holds up no other.
 */
// A worker killed mid-attempt leaves its job locked for 30 s; checking for stalled jobs every 5 s (not 30)
// hands it to another worker soon after the lock lapses.
@Processor(WEBHOOKS_QUEUE, { stalledInterval: 5_000 })
export class WebhookDeliveryProcessor extends WorkerHost implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WebhookDeliveryProcessor.name);

  constructor(
    private readonly attempts: WebhookAttempts,
    private readonly sender: WebhookSender,
    private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly metrics: Metrics,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.webhookConcurrency;
  }

  process(job: Job<WebhookDeliveryJob>): Promise<AttemptRecord | 'endpoint-disabled'> {
    // The request that made the event is the request this attempt's logs belong to.
    return withRequestId(job.data.requestId, () => this.attempt(job));
  }

  private async attempt(job: Job<WebhookDeliveryJob>): Promise<AttemptRecord | 'endpoint-disabled'> {
    const delivery = await this.attempts.load(job.data);
    if (!delivery) return 'stale';
    const { event, endpoint } = delivery;
    if (!endpoint?.enabled) {
      await this.attempts.failUnsendable(job.data);
      this.metrics.webhookDeliveries.inc({ outcome: 'endpoint_disabled' });
      return 'endpoint-disabled';
    }
    const payload = webhookPayload(event);
    const headers = signatureHeaders(event.id, new Date(), payload, endpoint);
    this.metrics.webhookDeliveryLag.observe((Date.now() - event.createdAt.getTime()) / 1000);
    const result = await this.sender.send(endpoint.url, headers, payload);
    this.metrics.webhookDeliveryDuration.observe(result.durationMs / 1000);
    const outcome = await this.attempts.record(job.data, result);
    this.metrics.webhookDeliveries.inc({ outcome: OUTCOME[outcome] });
    this.logger.log(
      `${event.type} ${event.id} to endpoint ${endpoint.id}, attempt ${job.data.attempts + 1}: ${outcome} (${result.statusCode ?? result.error})`,
    );
    return outcome;
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.logger.warn(`Webhook worker: ${error.message}`);
  }

  // As MaintenanceProcessor: with Redis away no job can be acknowledged, so close at once; the rows are
  // still pending and the dispatcher enqueues them again.
  async onModuleDestroy(): Promise<void> {
    if (this.redis.status !== 'ready') await this.worker.close(true);
  }
}
