import type pg from 'pg';
import type { Received } from '../../support/webhook-receiver.js';
import { inScope, type Scope, scopedRows, violationsOf } from './scope.js';

/**
 * Every event reaches a terminal delivery state at each endpoint subscribed to it, and what was recorded as
 * delivered was received. The relay owes an event to each enabled endpoint of its organization that subscribes
 * to its type (or to '*') and existed when the event was written (webhooks/relay/outbox-relay.ts); a test ping
 * is owed to its own endpoint only, through the delivery written with it.
 */

/** What one receiver recorded, and the endpoint it was registered as. */
export interface ReceiverRecord {
  endpointId: string;
  received: readonly Pick<Received, 'webhookId' | 'verified'>[];
}

/** (event, endpoint) pairs the relay owes and has not made a delivery for; `$1` is the scope. */
const OWED_WITHOUT_DELIVERY = `
  SELECT event.id AS event_id, event.type, endpoint.id AS endpoint_id
    FROM events event
    JOIN webhook_endpoints endpoint
      ON endpoint.organization_id = event.organization_id
     AND endpoint.enabled
     AND (event.type = ANY (endpoint.events) OR '*' = ANY (endpoint.events))
     AND endpoint.created_at <= event.created_at
   WHERE ${inScope('event.organization_id')} AND event.type <> 'webhook_endpoint.test'
     AND NOT EXISTS (SELECT 1 FROM webhook_deliveries delivery
                      WHERE delivery.event_id = event.id AND delivery.endpoint_id = endpoint.id)
   ORDER BY event.id, endpoint.id`;

/** How far the webhook pipeline still is from done: events to relay, deliveries owed but not made or not over. */
export interface Unsettled {
  unrelayed: number;
  missing: number;
  pending: number;
}

export async function unsettledDeliveries(db: pg.ClientBase, scope: Scope): Promise<Unsettled> {
  const [row] = await scopedRows<Unsettled>(
    db,
    scope,
    `SELECT (SELECT count(*) FROM events
              WHERE relayed_at IS NULL AND ${inScope('organization_id')})::int AS unrelayed,
            (SELECT count(*) FROM (${OWED_WITHOUT_DELIVERY}) owed)::int AS missing,
            (SELECT count(*) FROM webhook_deliveries
              WHERE status = 'pending' AND ${inScope('organization_id')})::int AS pending`,
  );
  return row;
}

const NOT_RELAYED = `
  SELECT format('event %s (%s) was never relayed', id, type) AS violation
    FROM events WHERE relayed_at IS NULL AND ${inScope('organization_id')} ORDER BY id`;

const NOT_OWED = `
  SELECT format('event %s (%s) has no delivery to endpoint %s, which subscribes to it', event_id, type,
                endpoint_id) AS violation
    FROM (${OWED_WITHOUT_DELIVERY}) owed`;

const NOT_OVER = `
  SELECT format('delivery of event %s (%s) to endpoint %s is still pending after %s attempt(s)',
                delivery.event_id, event.type, delivery.endpoint_id, delivery.attempts) AS violation
    FROM webhook_deliveries delivery JOIN events event ON event.id = delivery.event_id
   WHERE delivery.status = 'pending' AND ${inScope('delivery.organization_id')}
   ORDER BY delivery.id`;

/** Violations of the pipeline rules in the database (call once it has settled or its time is up). */
export async function pipelineViolations(db: pg.ClientBase, scope: Scope): Promise<string[]> {
  const found: string[] = [];
  for (const sql of [NOT_RELAYED, NOT_OWED, NOT_OVER]) found.push(...(await violationsOf(db, scope, sql)));
  return found;
}

export interface ReceivedCounts {
  /** Requests the receivers got. */
  requests: number;
  /** Distinct (endpoint, webhook-id) pairs among them. */
  webhookIds: number;
  /** Requests beyond the first for the same webhook-id at the same endpoint: at-least-once allows them. */
  duplicates: number;
}

/**
 * Each receiver against its endpoint's deliveries: every delivery recorded succeeded was received, every
 * request received was owed to that endpoint (a delivery of that event exists), and each carried a signature
 * that verifies with the endpoint's secret.
 */
export async function receiverViolations(
  db: pg.ClientBase,
  receivers: readonly ReceiverRecord[],
): Promise<{ violations: string[]; counts: ReceivedCounts }> {
  const violations: string[] = [];
  const counts: ReceivedCounts = { requests: 0, webhookIds: 0, duplicates: 0 };
  for (const { endpointId, received } of receivers) {
    const { rows } = await db.query<{ eventId: string; status: string }>(
      `SELECT event_id AS "eventId", status FROM webhook_deliveries WHERE endpoint_id = $1`,
      [endpointId],
    );
    const owed = new Set(rows.map((row) => row.eventId));
    const ids = new Set(received.map((request) => request.webhookId));
    counts.requests += received.length;
    counts.webhookIds += ids.size;
    counts.duplicates += received.length - ids.size;
    for (const { eventId } of rows.filter((row) => row.status === 'succeeded' && !ids.has(row.eventId))) {
      violations.push(
        `delivery of event ${eventId} to endpoint ${endpointId} succeeded but was never received`,
      );
    }
    for (const webhookId of [...ids].filter((id) => !owed.has(id))) {
      violations.push(`endpoint ${endpointId} received webhook-id ${webhookId}, which it was never owed`);
    }
    const unverified = received.filter((request) => !request.verified).length;
    if (unverified > 0) {
      violations.push(
        `endpoint ${endpointId} received ${unverified} request(s) whose signature does not verify`,
      );
    }
  }
  return { violations, counts };
}
