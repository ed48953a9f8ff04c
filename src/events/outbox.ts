import type { EntityManager } from 'typeorm';
import { currentRequestId } from '../common/tracing/request-context.js';
import { Event } from './event.entity.js';
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
): Promise<Event> {
  if (!manager.queryRunner?.isTransactionActive) {
    throw new Error(`recordEvent(${type}) called outside a transaction`);
  }
  const event = manager.create(Event, { organizationId, type, data, requestId: currentRequestId() });
  await manager.insert(Event, event);
  return event;
}
