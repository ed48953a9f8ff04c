import { createHash } from 'node:crypto';
import { DomainError } from '../common/errors/domain-error.js';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
const VALID_KEY = /^[\x20-\x7e]{1,255}$/;

/** The header's value when it is 1–255 printable ASCII characters; a 400 naming the header otherwise. */
export function parseIdempotencyKey(value: string | string[]): string {
  if (typeof value === 'string' && VALID_KEY.test(value)) return value;
  const message = `${IDEMPOTENCY_KEY_HEADER} must be 1 to 255 printable ASCII characters`;
  throw new DomainError('validation_failed', message, [{ field: IDEMPOTENCY_KEY_HEADER, message }]);
}

/** What a retry must repeat to be replayed: method, path (with its ids) and body, whatever its key order. */
export function requestHash(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method} ${path}\n${canonicalJson(body)}`)
    .digest('hex');
}

/** JSON with object keys sorted, so `{"a":1,"b":2}` and `{"b":2,"a":1}` hash alike. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  // A POST without a body hashes like a JSON null.
  return JSON.stringify(value) ?? 'null';
}
