import type { FieldError } from '../errors/domain-error.js';

/** Deeper than any body the API takes (an invoice's `lineItems.0.description` is 3), far below a stack overflow. */
export const MAX_BODY_DEPTH = 32;

// In `u` mode a surrogate pair is one code point, so this matches only a lone half ("\ud800" in JSON).
const LONE_SURROGATE = /[\ud800-\udfff]/u;

/**
 * Why a parsed JSON body cannot be validated or stored, as a field error, or null. class-transformer recurses
 * once per level, so a body nested thousands deep overflows the stack (a 500) before any rule runs; the walk
 * is iterative and stops at the limit. A lone surrogate is no Unicode text: Postgres refuses it in jsonb (a
 * 500 when the event is written) and node-pg silently replaces it in text columns.
 */
export function bodyShapeProblem(body: unknown): FieldError | null {
  const pending: { value: unknown; path: string; depth: number }[] = [{ value: body, path: '', depth: 0 }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value, path, depth } = next;
    if (typeof value === 'string' && LONE_SURROGATE.test(value)) {
      return { field: path, message: 'Text must be valid Unicode (no lone UTF-16 surrogate)' };
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_BODY_DEPTH) {
      return { field: path, message: `The body must not nest deeper than ${MAX_BODY_DEPTH} levels` };
    }
    for (const [key, item] of Object.entries(value)) {
      if (LONE_SURROGATE.test(key)) {
        return { field: path, message: 'Keys must be valid Unicode (no lone UTF-16 surrogate)' };
      }
      pending.push({ value: item, path: path ? `${path}.${key}` : key, depth: depth + 1 });
    }
  }
  return null;
}
