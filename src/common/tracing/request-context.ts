import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * The request id of the work in progress: an HTTP request's (its X-Request-Id, or one made for it), and the
 * same id again in the jobs and events that request caused, so one id traces it end to end.
 */
const storage = new AsyncLocalStorage<string>();

export const REQUEST_ID_HEADER = 'x-request-id';

// What a caller may send as X-Request-Id; anything else is replaced (it is logged and stored).
const ACCEPTED = /^[A-Za-z0-9._:-]{1,128}$/;

export function currentRequestId(): string | null {
  return storage.getStore() ?? null;
}

export function withRequestId<T>(requestId: string | null | undefined, work: () => T): T {
  return requestId ? storage.run(requestId, work) : work();
}

/** The caller's X-Request-Id when it is a sensible token, otherwise a new one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && ACCEPTED.test(header) ? header : randomUUID();
}
