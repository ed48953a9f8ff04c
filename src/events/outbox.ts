import type { EntityManager } from 'typeorm';
import { currentRequestId } from '../common/tracing/request-context.js';
import { newId } from '../database/ids.js';
import { preparedQuery } from '../database/prepared-query.js';
import type { EventType } from './event-types.js';

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
  await preparedQuery(manager, INSERT_EVENT, [
    newId(),
    organizationId,
    type,
    data,
    currentRequestId() ?? null,
  ]);
}

const INSERT_EVENT = `INSERT INTO events (id, organization_id, type, data, request_id) VALUES ($1, $2, $3, $4, $5)`;
