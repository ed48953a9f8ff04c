import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AppConfig } from '../../config/app-config.js';
import { newId } from '../../database/ids.js';
import { Transactions } from '../../database/transactions.js';
import { recordEvent } from '../../events/outbox.js';
import { Notifier } from '../../notifications/notifier.js';
import { WebhookAttempt } from '../webhook-attempt.entity.js';
import { WebhookDelivery } from '../webhook-delivery.entity.js';
import { toWebhookEndpointResponse } from '../endpoints/dto/webhook-endpoint.dto.js';
import { WebhookEndpoint } from '../webhook-endpoint.entity.js';
import type { DueAttempt } from './webhook-delivery.producer.js';
import { attemptOutcome, failingTooLong, isSuccess } from './webhook-retry.js';
import type { SendResult } from './webhook-sender.js';
import type { SigningSecrets } from './webhook-signature.js';

/** What the delivery log keeps of an answer. */
export const EXCERPT_BYTES = 1024;

export type AttemptRecord = 'succeeded' | 'retry' | 'failed' | 'gone' | 'stale';

/** A due attempt with what making it needs: its event, and its endpoint (null once deleted). */
export interface LoadedAttempt {
  due: DueAttempt;
  event: { id: string; type: string; createdAt: Date; data: object };
  endpoint: (SigningSecrets & { id: string; url: string; enabled: boolean }) | null;
}

/** An attempt made, and what came back. */
export interface SentAttempt {
  due: DueAttempt;
  result: SendResult;
}

/** The parameters $1 (delivery ids) and $2 (attempt counts) of a statement over many attempts. */
const attemptColumns = (attempts: DueAttempt[]) => [
  attempts.map((attempt) => attempt.deliveryId),
  attempts.map((attempt) => attempt.attempts),
];

/** The attempts still to make (the delivery pending, at the attempt the job was made for), in one round trip. */
const LOAD = `
  SELECT delivery.id AS "deliveryId",
         event.id AS "eventId", event.type, event.created_at AS "createdAt", event.data,
         endpoint.id AS "endpointId", endpoint.url, endpoint.enabled, endpoint.secret,
         endpoint.previous_secret AS "previousSecret",
         endpoint.previous_secret_expires_at AS "previousSecretExpiresAt"
    FROM unnest($1::uuid[], $2::int[]) AS due(id, attempts)
    JOIN webhook_deliveries delivery
      ON delivery.id = due.id AND delivery.attempts = due.attempts AND delivery.status = 'pending'
    JOIN events event ON event.id = delivery.event_id
    LEFT JOIN webhook_endpoints endpoint ON endpoint.id = delivery.endpoint_id`;

const FAIL_UNSENDABLE = `
  UPDATE webhook_deliveries delivery
     SET status = 'failed', next_attempt_at = NULL, updated_at = now()
    FROM unnest($1::uuid[], $2::int[]) AS due(id, attempts)
   WHERE delivery.id = due.id AND delivery.attempts = due.attempts AND delivery.status = 'pending'`;

/**
 * Successes, all in one statement: a delivery still pending at the job's attempt count (else another worker
 * recorded it first: a stalled job run twice) succeeds, its attempt is logged, and its endpoint's failing
 * streak ends. The row lock of the UPDATE orders two recorders of one attempt: the second matches nothing.
 */
const RECORD_SUCCEEDED = `
  WITH sent AS (
    SELECT * FROM unnest($1::uuid[], $2::int[], $3::uuid[], $4::int[], $5::int[], $6::text[])
      AS sent(delivery_id, attempts, attempt_id, status_code, duration_ms, excerpt)
  ), recorded AS (
    UPDATE webhook_deliveries delivery
       SET status = 'succeeded', attempts = delivery.attempts + 1, last_attempt_at = now(),
           next_attempt_at = NULL, updated_at = now()
      FROM sent
     WHERE delivery.id = sent.delivery_id AND delivery.attempts = sent.attempts AND delivery.status = 'pending'
    RETURNING delivery.id, delivery.organization_id, delivery.endpoint_id, delivery.attempts,
              sent.attempt_id, sent.status_code, sent.duration_ms, sent.excerpt
  ), logged AS (
    INSERT INTO webhook_attempts (id, organization_id, delivery_id, attempt, status_code, duration_ms, response_excerpt)
    SELECT attempt_id, organization_id, id, attempts, status_code, duration_ms, excerpt FROM recorded
  ), endpoint AS (
    -- Locked as record() locks it: a failure recorded meanwhile is waited for, and its streak ended.
    SELECT id, failing_since FROM webhook_endpoints
     WHERE id IN (SELECT endpoint_id FROM recorded)
       FOR NO KEY UPDATE
  ), healed AS (
    UPDATE webhook_endpoints SET failing_since = NULL, updated_at = now()
      FROM endpoint
     WHERE webhook_endpoints.id = endpoint.id AND endpoint.failing_since IS NOT NULL
  )
  SELECT id FROM recorded`;

/** Reads deliveries for their attempts and writes what the attempts led to. */
@Injectable()
export class WebhookAttempts {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly notifier: Notifier,
    private readonly config: AppConfig,
  ) {}

  /** The attempts still to make, in the job's order; stale ones (attempt made, delivery over or gone) are left out. */
  async load(attempts: DueAttempt[]): Promise<LoadedAttempt[]> {
    const rows: LoadRow[] = await this.dataSource.query(LOAD, attemptColumns(attempts));
    const byId = new Map(rows.map((row) => [row.deliveryId, row]));
    return attempts.flatMap((attempt) => {
      const row = byId.get(attempt.deliveryId);
      if (!row) return [];
      const { eventId, type, createdAt, data, endpointId, url, enabled, secret, previousSecret } = row;
      const endpoint = endpointId
        ? {
            id: endpointId,
            url,
            enabled,
            secret,
            previousSecret,
            previousSecretExpiresAt: row.previousSecretExpiresAt,
          }
        : null;
      return [{ due: attempt, event: { id: eventId, type, createdAt, data }, endpoint }];
    });
  }

  /** Fails deliveries whose endpoint was disabled (or deleted) before their attempt; no request is made. */
  async failUnsendable(attempts: DueAttempt[]): Promise<void> {
    await this.dataSource.query(FAIL_UNSENDABLE, attemptColumns(attempts));
  }

  /**
   * Records attempts made, in the order given. Successes take one statement for them all; any other answer
   * takes record(), since it may start the endpoint's failing streak or disable it.
   */
  async recordAll(sent: SentAttempt[]): Promise<AttemptRecord[]> {
    const succeeded = sent.filter(({ result }) => isSuccess(result.statusCode));
    const recorded = new Set<string>();
    if (succeeded.length > 0) {
      const rows: { id: string }[] = await this.dataSource.query(RECORD_SUCCEEDED, [
        succeeded.map(({ due }) => due.deliveryId),
        succeeded.map(({ due }) => due.attempts),
        succeeded.map(() => newId()),
        succeeded.map(({ result }) => result.statusCode),
        succeeded.map(({ result }) => result.durationMs),
        succeeded.map(({ result }) => excerpt(result)),
      ]);
      for (const { id } of rows) recorded.add(id);
    }
    const outcomes: AttemptRecord[] = [];
    for (const { due, result } of sent) {
      if (isSuccess(result.statusCode)) outcomes.push(recorded.has(due.deliveryId) ? 'succeeded' : 'stale');
      else outcomes.push(await this.record(due, result));
    }
    return outcomes;
  }

  /**
   * Records an attempt and its consequences: the attempt row, the delivery's new state, the endpoint's
   * failing streak, and when it must go, its disabling with an event and a notification.
   */
  record(job: Pick<DueAttempt, 'deliveryId' | 'attempts'>, result: SendResult): Promise<AttemptRecord> {
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

interface LoadRow extends Omit<LoadedAttempt['event'], 'id'>, SigningSecrets {
  deliveryId: string;
  eventId: string;
  endpointId: string | null;
  url: string;
  enabled: boolean;
}

/** The answer's first KiB as text; Postgres text holds no NUL. */
function excerpt(result: SendResult): string | null {
  if (result.statusCode === null) return null;
  return result.body.subarray(0, EXCERPT_BYTES).toString('utf8').replaceAll('\u0000', '');
}
