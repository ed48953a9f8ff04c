import { expect } from '@jest/globals';
import type pg from 'pg';
import { newId } from '../../src/database/ids.js';

/** Rows behind the webhooks API, written straight to the database (what the workers would have left). */

export async function insertEndpoint(
  db: pg.ClientBase,
  organizationId: string,
  fields: { events?: string[]; enabled?: boolean; url?: string } = {},
): Promise<string> {
  const id = newId();
  await db.query(
    `INSERT INTO webhook_endpoints (id, organization_id, url, events, enabled, secret)
     VALUES ($1, $2, $3, $4, $5, 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')`,
    [
      id,
      organizationId,
      fields.url ?? 'https://hooks.example.test/in',
      fields.events ?? ['*'],
      fields.enabled ?? true,
    ],
  );
  return id;
}

/** An event of `type`, created `daysAgo` days ago (0: now). */
export async function insertEvent(
  db: pg.ClientBase,
  organizationId: string,
  fields: { type?: string; daysAgo?: number; data?: object } = {},
): Promise<string> {
  const id = newId();
  await db.query(
    `INSERT INTO events (id, organization_id, type, data, created_at, relayed_at)
     VALUES ($1, $2, $3, $4, now() - $5 * interval '1 day', now())`,
    [
      id,
      organizationId,
      fields.type ?? 'customer.created',
      fields.data ?? { id: newId() },
      fields.daysAgo ?? 0,
    ],
  );
  return id;
}

export interface DeliveryFields {
  status?: 'pending' | 'succeeded' | 'failed';
  attempts?: number;
  nextAttemptAt?: Date | null;
  lastAttemptAt?: Date | null;
}

export async function insertDelivery(
  db: pg.ClientBase,
  organizationId: string,
  eventId: string,
  endpointId: string,
  fields: DeliveryFields = {},
): Promise<string> {
  const id = newId();
  await db.query(
    `INSERT INTO webhook_deliveries
       (id, organization_id, event_id, endpoint_id, status, attempts, next_attempt_at, last_attempt_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      id,
      organizationId,
      eventId,
      endpointId,
      fields.status ?? 'failed',
      fields.attempts ?? 0,
      fields.nextAttemptAt ?? null,
      fields.lastAttemptAt ?? null,
    ],
  );
  return id;
}

export interface AttemptFields {
  attempt: number;
  statusCode?: number | null;
  durationMs?: number;
  responseExcerpt?: string | null;
  error?: string | null;
  nextAttemptAt?: Date | null;
}

export async function insertAttempt(
  db: pg.ClientBase,
  organizationId: string,
  deliveryId: string,
  fields: AttemptFields,
): Promise<void> {
  await db.query(
    `INSERT INTO webhook_attempts
       (id, organization_id, delivery_id, attempt, status_code, duration_ms, response_excerpt, error, next_attempt_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      newId(),
      organizationId,
      deliveryId,
      fields.attempt,
      fields.statusCode ?? null,
      fields.durationMs ?? 100,
      fields.responseExcerpt ?? null,
      fields.error ?? null,
      fields.nextAttemptAt ?? null,
    ],
  );
}

export interface DeliveryRow {
  id: string;
  eventId: string;
  endpointId: string;
  status: string;
  attempts: number;
  nextAttemptAt: Date | null;
  updatedAt: Date;
}

/** Every delivery row of an organization, by id. */
export async function deliveryRowsOf(db: pg.ClientBase, organizationId: string): Promise<DeliveryRow[]> {
  const { rows } = await db.query<DeliveryRow>(
    `SELECT id, event_id AS "eventId", endpoint_id AS "endpointId", status, attempts,
            next_attempt_at AS "nextAttemptAt", updated_at AS "updatedAt"
       FROM webhook_deliveries WHERE organization_id = $1 ORDER BY id`,
    [organizationId],
  );
  return rows;
}

/**
 * Asserts that a delivery was made pending again and due at `at` (ms), its `attemptsBefore` kept. Every app the
 * suite starts in the `all` role runs the dispatcher on the shared test database, so one may already have made
 * the next attempt: then the delivery counts exactly those extra attempts, each made after `at`.
 */
export async function expectDueAgain(
  db: pg.ClientBase,
  deliveryId: string,
  attemptsBefore: number,
  at: number,
): Promise<void> {
  // One statement: the delivery and its attempt rows as of the same snapshot.
  const { rows } = await db.query<{
    status: string;
    attempts: number;
    nextAttemptAt: Date;
    made: number;
    firstMadeAt: Date | null;
  }>(
    `SELECT delivery.status, delivery.attempts, delivery.next_attempt_at AS "nextAttemptAt",
            count(attempt.id)::int AS made, min(attempt.created_at) AS "firstMadeAt"
       FROM webhook_deliveries AS delivery LEFT JOIN webhook_attempts AS attempt ON attempt.delivery_id = delivery.id
      WHERE delivery.id = $1
      GROUP BY delivery.id`,
    [deliveryId],
  );
  const [row] = rows;
  expect(row.attempts).toBe(attemptsBefore + row.made);
  if (row.made === 0) {
    expect(row.status).toBe('pending');
    // Postgres' now() is the transaction's start: within the request, allowing for clock skew.
    expect(Math.abs(row.nextAttemptAt.getTime() - at)).toBeLessThan(2000);
  } else {
    expect(row.firstMadeAt!.getTime()).toBeGreaterThanOrEqual(at - 2000);
  }
}
