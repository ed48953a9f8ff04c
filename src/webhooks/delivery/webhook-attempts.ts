import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AppConfig } from '../../config/app-config.js';
import { Transactions } from '../../database/transactions.js';
import { recordEvent } from '../../events/outbox.js';
import { Notifier } from '../../notifications/notifier.js';
import { WebhookAttempt } from '../webhook-attempt.entity.js';
import { WebhookDelivery } from '../webhook-delivery.entity.js';
import { toWebhookEndpointResponse } from '../endpoints/dto/webhook-endpoint.dto.js';
import { WebhookEndpoint } from '../webhook-endpoint.entity.js';
import type { WebhookDeliveryJob } from './webhook-delivery.producer.js';
import { attemptOutcome, failingTooLong } from './webhook-retry.js';
import type { SendResult } from './webhook-sender.js';

/** What the delivery log keeps of an answer. */
export const EXCERPT_BYTES = 1024;

export type AttemptRecord = 'succeeded' | 'retry' | 'failed' | 'gone' | 'stale';

/** A delivery with its event and endpoint, as one attempt needs them. */
export type LoadedDelivery = WebhookDelivery & { event: NonNullable<WebhookDelivery['event']> };

/** Reads a delivery for an attempt and writes what the attempt led to, all of it in one transaction. */
@Injectable()
export class WebhookAttempts {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly notifier: Notifier,
    private readonly config: AppConfig,
  ) {}

  /** The delivery the job is for, or null when the job is stale (attempt already made, delivery over or gone). */
  async load(job: WebhookDeliveryJob): Promise<LoadedDelivery | null> {
    const delivery = await this.dataSource.getRepository(WebhookDelivery).findOne({
      where: { id: job.deliveryId },
      relations: { event: true, endpoint: true },
    });
    if (!delivery?.event || delivery.status !== 'pending' || delivery.attempts !== job.attempts) return null;
    return delivery as LoadedDelivery;
  }

  /** Fails a delivery whose endpoint was disabled (or deleted) before its attempt; no request is made. */
  async failUnsendable(job: WebhookDeliveryJob): Promise<void> {
    await this.dataSource
      .getRepository(WebhookDelivery)
      .update(
        { id: job.deliveryId, status: 'pending', attempts: job.attempts },
        { status: 'failed', nextAttemptAt: null },
      );
  }

  /**
   * Records an attempt and its consequences: the attempt row, the delivery's new state, the endpoint's
   * failing streak, and when it must go, its disabling with an event and a notification.
   */
  record(job: WebhookDeliveryJob, result: SendResult): Promise<AttemptRecord> {
    return this.transactions.runInNew(async (manager) => {
      const delivery = await manager.findOne(WebhookDelivery, {
        where: { id: job.deliveryId },
        lock: { mode: 'pessimistic_write' },
      });
      // Another worker recorded this attempt first (a stalled job run twice): keep its record.
      if (!delivery || delivery.status !== 'pending' || delivery.attempts !== job.attempts) return 'stale';
      // NO KEY UPDATE: the relay's inserts, which only key-share the endpoint, go on meanwhile.
      const endpoint = await manager.findOne(WebhookEndpoint, {
        where: { id: delivery.endpointId },
        lock: { mode: 'for_no_key_update' },
      });
      const now = new Date();
      const attempts = delivery.attempts + 1;
      const outcome = attemptOutcome(result, attempts, this.config.webhookRetrySchedule, now);
      const nextAttemptAt = outcome.status === 'retry' ? outcome.nextAttemptAt : null;

      await manager.save(
        manager.create(WebhookAttempt, {
          organizationId: delivery.organizationId,
          deliveryId: delivery.id,
          attempt: attempts,
          statusCode: result.statusCode,
          durationMs: result.durationMs,
          responseExcerpt: excerpt(result),
          error:
            result.error ??
            (outcome.status === 'failed' || outcome.status === 'gone' ? outcome.reason : null),
          nextAttemptAt,
        }),
      );
      await manager.update(WebhookDelivery, delivery.id, {
        attempts,
        lastAttemptAt: now,
        nextAttemptAt,
        status:
          outcome.status === 'succeeded' ? 'succeeded' : outcome.status === 'retry' ? 'pending' : 'failed',
      });
      if (endpoint) await this.updateEndpoint(manager, endpoint, outcome.status, now);
      return outcome.status;
    });
  }

  private async updateEndpoint(
    manager: EntityManager,
    endpoint: WebhookEndpoint,
    outcome: AttemptRecord,
    now: Date,
  ): Promise<void> {
    if (outcome === 'succeeded') {
      if (endpoint.failingSince) await manager.update(WebhookEndpoint, endpoint.id, { failingSince: null });
      return;
    }
    const failingSince = endpoint.failingSince ?? now;
    if (!endpoint.failingSince) await manager.update(WebhookEndpoint, endpoint.id, { failingSince });
    if (!endpoint.enabled) return;
    if (outcome === 'gone') {
      await this.disable(manager, endpoint, 'The endpoint answered 410 Gone', now);
    } else if (failingTooLong(failingSince, now)) {
      await this.disable(manager, endpoint, 'Deliveries have failed for 5 days', now);
    }
  }

  private async disable(manager: EntityManager, endpoint: WebhookEndpoint, reason: string, now: Date) {
    await manager.update(WebhookEndpoint, endpoint.id, {
      enabled: false,
      disabledAt: now,
      disabledReason: reason,
    });
    const { organizationId } = endpoint;
    const disabled = Object.assign(endpoint, {
      enabled: false,
      disabledAt: now,
      disabledReason: reason,
      updatedAt: now,
    });
    await recordEvent(
      manager,
      organizationId,
      'webhook_endpoint.disabled',
      toWebhookEndpointResponse(disabled, now),
    );
    await this.notifier.notifyManagers(manager, organizationId, {
      type: 'webhook_endpoint.disabled',
      message: `Webhook endpoint ${endpoint.url} was disabled: ${reason}`,
      data: { endpointId: endpoint.id, url: endpoint.url, reason },
    });
  }
}

/** The answer's first KiB as text; Postgres text holds no NUL. */
function excerpt(result: SendResult): string | null {
  if (result.statusCode === null) return null;
  return result.body.subarray(0, EXCERPT_BYTES).toString('utf8').replaceAll('\u0000', '');
}
