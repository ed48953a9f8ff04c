import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { inScope, type Scope, scopedRows } from './scope.js';

/**
 * No Idempotency-Key produced two effects. Traffic that wants its effects counted sends keys made by
 * newIdempotencyKey() and tags what each request makes with its key: customers and invoices with
 * `metadata.idempotencyKey`, payments with `reference`, refunds with `reason`. Then each key has at most one
 * effect, every effect has its stored answer (a retry replays it rather than running again), and a stored
 * answer showing the tag names the object that exists with it.
 */

const KEY_PREFIX = 'idem-';

export const newIdempotencyKey = (): string => `${KEY_PREFIX}${randomUUID()}`;

/** The metadata that tags a customer or an invoice as made by the request with `key`. */
export const idempotencyTag = (key: string) => ({ idempotencyKey: key });

/** What was made under a tag; a refund counts as its payment, the object its answer shows. */
const EFFECTS = `
  SELECT organization_id AS scope, metadata->>'idempotencyKey' AS key, 'customer' AS kind, id::text AS "objectId"
    FROM customers WHERE metadata ? 'idempotencyKey' AND ${inScope('organization_id')}
  UNION ALL
  SELECT organization_id, metadata->>'idempotencyKey', 'invoice', id::text
    FROM invoices WHERE metadata ? 'idempotencyKey' AND ${inScope('organization_id')}
  UNION ALL
  SELECT organization_id, reference, 'payment', id::text
    FROM payments WHERE reference LIKE '${KEY_PREFIX}%' AND ${inScope('organization_id')}
  UNION ALL
  SELECT organization_id, reason, 'refund of payment', payment_id::text
    FROM refunds WHERE reason LIKE '${KEY_PREFIX}%' AND ${inScope('organization_id')}`;

/** The stored answers: the object each names, and whether it shows the key's tag. */
const ANSWERS = `
  SELECT scope, key, response_body->>'id' AS "answerId",
         coalesce(response_body->'metadata'->>'idempotencyKey' = key
                  OR response_body->>'reference' = key
                  OR EXISTS (SELECT 1 FROM jsonb_array_elements(
                               CASE jsonb_typeof(response_body->'refunds') WHEN 'array'
                                    THEN response_body->'refunds' ELSE '[]'::jsonb END) refund
                              WHERE refund->>'reason' = key), false) AS tagged
    FROM idempotency_keys WHERE ${inScope('scope')}`;

interface Effect {
  scope: string;
  key: string;
  kind: string;
  objectId: string;
}

interface Answer {
  scope: string;
  key: string;
  answerId: string | null;
  tagged: boolean;
}

export interface IdempotencyCounts {
  /** Answers stored under an Idempotency-Key. */
  keys: number;
  /** Objects tagged with the key of the request that made them. */
  taggedEffects: number;
}

export async function idempotencyViolations(
  db: pg.ClientBase,
  scope: Scope,
): Promise<{ violations: string[]; counts: IdempotencyCounts }> {
  const effects = await scopedRows<Effect>(db, scope, EFFECTS);
  const answers = await scopedRows<Answer>(db, scope, ANSWERS);
  const answerOf = new Map(answers.map((answer) => [`${answer.scope}/${answer.key}`, answer]));
  const effectsOf = new Map<string, Effect[]>();
  for (const effect of effects) {
    const id = `${effect.scope}/${effect.key}`;
    effectsOf.set(id, [...(effectsOf.get(id) ?? []), effect]);
  }

  const violations: string[] = [];
  const describe = (made: Effect[]) => made.map(({ kind, objectId }) => `${kind} ${objectId}`).join(', ');
  for (const [id, made] of effectsOf) {
    if (made.length > 1)
      violations.push(`idempotency key ${id} produced ${made.length} effects: ${describe(made)}`);
    const answer = answerOf.get(id);
    if (!answer)
      violations.push(`idempotency key ${id} made ${describe(made)}, and no answer is stored for it`);
    else if (made.length === 1 && answer.answerId !== made[0].objectId) {
      violations.push(`idempotency key ${id} answers ${answer.answerId}, but made ${describe(made)}`);
    }
  }
  for (const answer of answers.filter((answer) => answer.tagged)) {
    const id = `${answer.scope}/${answer.key}`;
    if (!effectsOf.has(id))
      violations.push(`idempotency key ${id} answers ${answer.answerId}, which was never made`);
  }
  return { violations, counts: { keys: answers.length, taggedEffects: effects.length } };
}
