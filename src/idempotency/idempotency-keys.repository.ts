import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { preparedQuery } from '../database/prepared-query.js';
import { takeDeferredEvents } from '../events/outbox.js';
import { IdempotencyKey } from './idempotency-key.entity.js';

/** How long a stored answer is replayed; older keys run again and the cleanup job deletes them. */
export const IDEMPOTENCY_KEY_TTL_HOURS = 24;

/** What a retry needs of a stored answer: whether it was the same request, and the answer. */
export type StoredAnswer = Pick<IdempotencyKey, 'requestHash' | 'responseBody'>;

@Injectable()
export class IdempotencyKeysRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Takes the key's lock until the caller's transaction ends, then reads its stored answer while younger than
   * the TTL (an older one is as good as gone): null when another transaction holds the lock, `stored: null`
   * when the key is new. One round trip (the migration IdempotencyClaim).
   */
  async claim(
    manager: EntityManager,
    scope: string,
    key: string,
  ): Promise<{ stored: StoredAnswer | null } | null> {
    const [claimed] = await preparedQuery<{ locked: boolean } & StoredAnswer>(
      manager,
      `SELECT locked, request_hash AS "requestHash", response_body AS "responseBody"
         FROM claim_idempotency_key($1, $2, $3)`,
      [scope, key, IDEMPOTENCY_KEY_TTL_HOURS],
    );
    if (!claimed.locked) return null;
    const { requestHash, responseBody } = claimed;
    return { stored: requestHash === null ? null : { requestHash, responseBody } };
  }

  /**
   * Saves the answer, replacing an expired one under the same key, in one statement with the events the
   * request deferred (outbox deferEvents).
   */
  async store(manager: EntityManager, answer: Omit<IdempotencyKey, 'createdAt'>): Promise<void> {
    const values: unknown[] = [
      answer.scope,
      answer.key,
      answer.requestHash,
      answer.responseStatus,
      // SQL NULL for a 204's missing body.
      answer.responseBody === undefined ? null : JSON.stringify(answer.responseBody),
    ];
    const events = takeDeferredEvents(manager, values);
    await preparedQuery(
      manager,
      `${events ? `WITH recorded AS (${events}) ` : ''}INSERT INTO idempotency_keys
         (scope, key, request_hash, response_status, response_body)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (scope, key) DO UPDATE SET request_hash = EXCLUDED.request_hash,
         response_status = EXCLUDED.response_status, response_body = EXCLUDED.response_body, created_at = now()`,
      values,
    );
  }

  /** Deletes keys past the TTL, `batchSize` rows per statement so no delete locks many rows for long. */
  async deleteExpired(batchSize = 1000): Promise<number> {
    let deleted = 0;
    for (;;) {
      const [, count]: [unknown, number] = await this.dataSource.query(
        `DELETE FROM idempotency_keys WHERE (scope, key) IN (
           SELECT scope, key FROM idempotency_keys
            WHERE created_at <= now() - make_interval(hours => $1) LIMIT $2)`,
        [IDEMPOTENCY_KEY_TTL_HOURS, batchSize],
      );
      deleted += count;
      if (count < batchSize) return deleted;
    }
  }
}
