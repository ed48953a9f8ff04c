import type { EntityManager } from 'typeorm';
import { currentRequestId } from '../common/tracing/request-context.js';
import { newId } from '../database/ids.js';
import { preparedQuery } from '../database/prepared-query.js';
import type { EventType } from './event-types.js';

/** Events recorded in a transaction whose owner writes them itself, with its last statement (deferEvents). */
const deferred = new WeakMap<object, unknown[][]>();

/**
 * Writes an event in the caller's transaction, so the change and its event commit or roll back together.
 * `data` is the object as the API shows it (its response DTO). The request id of the work in progress goes
 * with it, so the deliveries of the event can be traced back to the request.
 */
export async function recordEvent(
  manager: EntityManager,
  organizationId: string,
  type: EventType,
  data: object,
): Promise<void> {
  if (!manager.queryRunner?.isTransactionActive) {
    throw new Error(`recordEvent(${type}) called outside a transaction`);
  }
  const row = [newId(), organizationId, type, data, currentRequestId() ?? null];
  const waiting = deferred.get(manager.queryRunner);
  if (waiting) waiting.push(row);
  else await preparedQuery(manager, INSERT_EVENT, row);
}

/**
 * From now on, events recorded in `manager`'s transaction wait to be written by the statement that
 * `takeDeferredEvents` feeds them to, which the transaction's owner runs last, before committing: one round trip
 * fewer for a request that writes a change, its event and its stored answer.
 */
export function deferEvents(manager: EntityManager): void {
  deferred.set(manager.queryRunner!, []);
}

/**
 * The events deferred in `manager`'s transaction as an `INSERT INTO events …` for a WITH clause, its parameters
 * appended to `values`; null when none were recorded. Recording writes at once again afterwards.
 */
export function takeDeferredEvents(manager: EntityManager, values: unknown[]): string | null {
  const rows = deferred.get(manager.queryRunner!) ?? [];
  deferred.delete(manager.queryRunner!);
  return rows.length === 0 ? null : `${INSERT_EVENTS} ${placeholders(rows, values)}`;
}

/** `VALUES ($n, …), …` for `rows`, whose values are appended to `values`. */
function placeholders(rows: unknown[][], values: unknown[]): string {
  const tuples = rows.map((row) => `(${row.map((value) => `$${values.push(value)}`).join(', ')})`);
  return `VALUES ${tuples.join(', ')}`;
}

const INSERT_EVENTS = `INSERT INTO events (id, organization_id, type, data, request_id)`;
const INSERT_EVENT = `${INSERT_EVENTS} VALUES ($1, $2, $3, $4, $5)`;
