import type { FieldError } from '../errors/domain-error.js';

/** Deeper than any body the API takes (an invoice's `lineItems.0.description` is 3), far below a stack overflow. */
export const MAX_BODY_DEPTH = 32;

/**
 * Why a parsed JSON body cannot even be validated, as a field error, or null. class-transformer recurses once
 * per level, so a body nested thousands deep overflows the stack (a 500) before any rule runs. The walk is
 * iterative and stops at the limit.
 */
export function bodyShapeProblem(body: unknown): FieldError | null {
  const pending: { value: unknown; path: string; depth: number }[] = [{ value: body, path: '', depth: 0 }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value, path, depth } = next;
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_BODY_DEPTH) {
      return { field: path, message: `The body must not nest deeper than ${MAX_BODY_DEPTH} levels` };
    }
    for (const [key, item] of Object.entries(value)) {
      pending.push({ value: item, path: path ? `${path}.${key}` : key, depth: depth + 1 });
    }
  }
  return null;
}
