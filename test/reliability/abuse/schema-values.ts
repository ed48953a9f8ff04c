import { uniqueEmail } from '../../support/factories.js';
import type { ApiOperation, Schema } from './api-document.js';
import { PUBLIC_WEBHOOK_URL } from './organization-fixture.js';

/** Ids a body may name (`customerId`, `invoiceId`), taken from the caller's own organization. */
export type BodyIds = Record<string, string>;

/**
 * What the schema cannot state: signup needs organizationName unless it has an inviteToken, and a Stripe
 * event (free-form in the document) needs its envelope. A body built from the schema alone fails these, so
 * a sweep would test the validation rather than the route.
 */
const REQUIRED_BY_RULE: Record<string, Record<string, unknown>> = {
  'POST /v1/auth/signup': { organizationName: 'Abuse Inc' },
  'POST /v1/integrations/stripe/webhook': {
    id: 'evt_abuse',
    type: 'payment_intent.succeeded',
    data: { object: { id: 'pi_abuse', amount_received: 100, currency: 'usd', metadata: {} } },
  },
};

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T/;
const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A value the schema accepts, by its enum, its example, its format and the property's name. */
export function acceptedValue(schema: Schema, name: string, ids: BodyIds): unknown {
  // Dates are relative to now: examples written last month fall outside "at most 30 days back".
  if (typeof schema.example === 'string' && ISO_DATE_TIME.test(schema.example))
    return new Date(Date.now() - 3_600_000).toISOString();
  if (typeof schema.example === 'string' && CALENDAR_DATE.test(schema.example))
    return new Date().toISOString().slice(0, 10);
  if (schema.enum) return schema.enum[0];
  if (/email/i.test(name)) return uniqueEmail('abuse');
  if (name === 'url') return PUBLIC_WEBHOOK_URL;
  if (schema.format === 'uuid') {
    if (!ids[name]) throw new Error(`No id of the caller's organization is known to fill ${name}`);
    return ids[name];
  }
  if (schema.example !== undefined) return schema.example;
  switch (schema.type) {
    case 'string':
      return 'x'.repeat(Math.max(schema.minLength ?? 1, 1));
    case 'number':
    case 'integer':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return [acceptedValue(schema.items ?? {}, name, ids)];
    default:
      return minimalObject(schema, ids);
  }
}

/** The object with its required properties only, each an accepted value. */
function minimalObject(schema: Schema, ids: BodyIds): Record<string, unknown> {
  return Object.fromEntries(
    (schema.required ?? []).map((name) => [name, acceptedValue(schema.properties?.[name] ?? {}, name, ids)]),
  );
}

/** The smallest body the operation accepts: its required fields, plus those its rules require. */
export function minimalBody(operation: ApiOperation, ids: BodyIds): Record<string, unknown> | undefined {
  if (!operation.body) return undefined;
  return { ...minimalObject(operation.body, ids), ...REQUIRED_BY_RULE[operation.route] };
}

/** A field a body can carry, at any depth: `name`, `address.city`, `lineItems.0.quantity`. */
export interface Field {
  path: string;
  schema: Schema;
  kind: 'string' | 'number' | 'boolean' | 'list' | 'map' | 'object';
}

function kindOf(schema: Schema): Field['kind'] {
  if (schema.type === 'array') return 'list';
  if (typeof schema.additionalProperties === 'object') return 'map';
  if (schema.type === 'integer' || schema.type === 'number') return 'number';
  if (schema.type === 'string' || schema.type === 'boolean') return schema.type;
  return 'object';
}

/** Every field of the schema: objects and lists of objects are walked into (their first item stands for all). */
export function fieldsOf(schema: Schema, parent = ''): Field[] {
  return Object.entries(schema.properties ?? {}).flatMap(([name, property]) => {
    const path = parent ? `${parent}.${name}` : name;
    const field: Field = { path, schema: property, kind: kindOf(property) };
    if (field.kind === 'object') return [field, ...fieldsOf(property, path)];
    if (field.kind === 'list' && property.items?.properties)
      return [field, ...fieldsOf(property.items, `${path}.0`)];
    return [field];
  });
}

/**
 * The operation's minimal body with `value` at `path`, the objects and lists on the way filled with accepted
 * values, so that `value` is the one thing wrong with it.
 */
export function bodyWith(
  operation: ApiOperation,
  ids: BodyIds,
  path: string,
  value: unknown,
): Record<string, unknown> {
  const body = structuredClone(minimalBody(operation, ids) ?? {});
  const names = path.split('.');
  let holder: Record<string, unknown> = body;
  let schema: Schema = operation.body ?? {};
  for (const [index, name] of names.entries()) {
    const property = schema.properties?.[name] ?? schema.items ?? {};
    if (index === names.length - 1) {
      holder[name] = value;
      break;
    }
    holder[name] ??= acceptedValue(property, name, ids);
    holder = holder[name] as Record<string, unknown>;
    schema = property;
  }
  return body;
}
