import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Job } from 'bullmq';
import { withRequestId } from '../../common/tracing/request-context.js';
import { AppConfig } from '../../config/app-config.js';
import { Metrics, type WebhookOutcome } from '../../metrics/metrics.js';
import { closeWorker } from '../../queue/close-worker.js';
import {
  type AttemptRecord,
  type LoadedAttempt,
  type SentAttempt,
  WebhookAttempts,
} from './webhook-attempts.js';
import {
  type WebhookDeliveryJob,
  WebhookDeliveryProducer,
  WEBHOOKS_QUEUE,
} from './webhook-delivery.producer.js';
import { Slots } from '../../common/slots.js';
import { WebhookSender } from './webhook-sender.js';
import { signatureHeaders, webhookPayload } from './webhook-signature.js';

type Endpoint = NonNullable<LoadedAttempt['endpoint']>;
type Sent = SentAttempt & { event: LoadedAttempt['event']; endpointId: string };

// The metric's label for what an attempt led to ('stale': another worker had recorded it already).
const OUTCOME: Record<AttemptRecord, WebhookOutcome> = {
  succeeded: 'succeeded',
  retry: 'retrying',
  failed: 'failed',
  gone: 'gone',
  stale: 'stale',
};

// A job with slow requests records what it has every so often rather than all at its end.
const RECORD_EVERY_MS = 1000;

/**
 * Makes the attempts of one job: sign, POST (outside any transaction), then record what happened, many
 * attempts in one statement. The jobs in progress share `webhookConcurrency` request slots, so a slow
 * endpoint (at most 15 s a request) holds one slot per request, as many as it has attempts due.
 */
// A worker killed mid-attempt leaves its job locked for 30 s; checking for stalled jobs every 5 s (not 30)
// hands it to another worker soon after the lock lapses.
@Processor(WEBHOOKS_QUEUE, { stalledInterval: 5_000 })
export class WebhookDeliveryProcessor extends WorkerHost implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WebhookDeliveryProcessor.name);
  private stopping = false;
  // Shared by the jobs in progress: at most webhookConcurrency requests in flight in this process.
  private readonly slots: Slots;

  constructor(
    private readonly attempts: WebhookAttempts,
    private readonly sender: WebhookSender,
    private readonly producer: WebhookDeliveryProducer,
    private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {
    super();
    this.slots = new Slots(config.webhookConcurrency);
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.webhookConcurrency;
  }

  /** Answers how many attempts were made; the others were stale or for a disabled endpoint. */
  async process(job: Job<WebhookDeliveryJob>): Promise<number> {
    const jobId = job.id!;
    const taken = await this.producer.take(jobId, job.data.deliveries);
    const loaded = await this.attempts.load(taken);
    const unsendable = loaded.filter(({ endpoint }) => !endpoint?.enabled).map(({ due }) => due);
    if (unsendable.length > 0) {
      await this.attempts.failUnsendable(unsendable);
      this.metrics.webhookDeliveries.inc({ outcome: 'endpoint_disabled' }, unsendable.length);
    }
    let made = 0;
    let sent: Sent[] = [];
    let recordedAt = performance.now();
    const attempt = async (loadedAttempt: LoadedAttempt) => {
      const { endpoint } = loadedAttempt;
      if (!endpoint?.enabled) return;
      // Stopping: the attempts not made yet go back to the dispatchers, with the claims released below.
      const result = await this.slots.run(async () =>
        this.stopping
          ? null
          : // The request that made the event is the request this attempt's logs belong to.
            withRequestId(loadedAttempt.due.requestId, () => this.send(loadedAttempt, endpoint)),
      );
      if (!result) return;
      made++;
      sent.push(result);
      if (performance.now() - recordedAt >= RECORD_EVERY_MS) {
        const batch = sent;
        sent = [];
        recordedAt = performance.now();
        await this.record(batch);
      }
    };
    await Promise.all(loaded.map(attempt));
    await this.record(sent);
    await this.producer.release(jobId, taken);
    return made;
  }

  private async send(attempt: LoadedAttempt, endpoint: Endpoint): Promise<Sent> {
    const { event } = attempt;
    const payload = webhookPayload(event);
    const headers = signatureHeaders(event.id, new Date(), payload, endpoint);
    this.metrics.webhookDeliveryLag.observe((Date.now() - event.createdAt.getTime()) / 1000);
    const result = await this.sender.send(endpoint.url, headers, payload);
    this.metrics.webhookDeliveryDuration.observe(result.durationMs / 1000);
    return { due: attempt.due, result, event, endpointId: endpoint.id };
  }

  private async record(sent: Sent[]): Promise<void> {
    if (sent.length === 0) return;
    const outcomes = await this.attempts.recordAll(sent);
    sent.forEach(({ due, result, event, endpointId }, i) => {
      this.metrics.webhookDeliveries.inc({ outcome: OUTCOME[outcomes[i]] });
      withRequestId(due.requestId, () =>
        this.logger.log(
          `${event.type} ${event.id} to endpoint ${endpointId}, attempt ${due.attempts + 1}: ${outcomes[i]} (${result.statusCode ?? result.error})`,
        ),
      );
    });
  }

  // A job that failed for good (Postgres away each time) gives its attempts back to the dispatcher at once.
  @OnWorkerEvent('failed')
  async onFailed(job: Job<WebhookDeliveryJob> | undefined, error: Error): Promise<void> {
    this.logger.warn(`Webhook job ${job?.id} failed (attempt ${job?.attemptsMade}): ${error.message}`);
    if (!job || job.attemptsMade < (job.opts.attempts ?? 1)) return;
    await this.producer.release(job.id!, job.data.deliveries).catch(() => undefined);
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.logger.warn(`Webhook worker: ${error.message}`);
  }

  // Before Nest's BullMQ module closes it, and at once when Redis is away (see closeWorker): the rows are
  // still pending and the dispatcher enqueues them again.
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    await closeWorker(this.worker);
  }
}
