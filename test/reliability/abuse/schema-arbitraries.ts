import fc from 'fast-check';
import type { ApiOperation, Schema } from './api-document.js';
import { acceptedValue, type BodyIds, fieldsOf, minimalBody } from './schema-values.js';

/** Values no field takes: wrong types, edge numbers, control and bidi characters, injection-shaped text. */
const hostileScalar: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    true,
    false,
    0,
    -1,
    -0.0001,
    1.5,
    1e308,
    -1e308,
    2 ** 53,
    2 ** 53 + 2,
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\ud800',
    '\udfff\ud800',
    '\u202egnp.exe',
    '\ufeff',
    '<script>alert(1)</script>',
    "'; DROP TABLE invoices; --",
    '../../../../etc/passwd',
    '%00%ff',
    '{{7*7}}${7*7}',
    '1e400',
    'NaN',
    [],
    {},
    [null],
    { $ne: '' },
    { $gt: 0 },
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'binary-ascii', maxLength: 40 }),
  // Long text: a few random graphemes repeated, as generating 20,000 of them one by one is slow.
  fc
    .tuple(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }), fc.integer({ min: 500, max: 20_000 }))
    .map(([text, times]) => text.repeat(times)),
  fc.double(),
  fc.integer(),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(Number),
);

/** Names a careless server would store as sent. */
const tempting = fc.constantFrom(
  'id',
  'organizationId',
  'role',
  'status',
  'total',
  'amountPaid',
  'createdAt',
  'isAdmin',
  'constructor',
  'prototype',
);

const email = fc.uuid().map((id) => `fuzz-${id}@example.test`);

/** Mostly `likely`, sometimes one of the others: valid-ish bodies should often get past validation. */
const mostly = (likely: fc.Arbitrary<unknown>, ...others: fc.Arbitrary<unknown>[]) =>
  fc.oneof({ arbitrary: likely, weight: 3 }, ...others.map((arbitrary) => ({ arbitrary, weight: 1 })));

/** Plausible values for the schema: mostly what it accepts, else strings and numbers around the usual range. */
export function plausible(schema: Schema, name: string, ids: BodyIds): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (/email/i.test(name)) return mostly(email, fc.string({ maxLength: 20 }));
  if (schema.format === 'uuid') return mostly(fc.constant(ids[name]), fc.uuid());
  const accepted = fc.constant(acceptedValue(schema, name, ids));
  switch (schema.type) {
    case 'string':
      return mostly(accepted, fc.string({ unit: 'grapheme', maxLength: 60 }));
    case 'number':
    case 'integer':
      return mostly(
        accepted,
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.double({ min: 0, max: 100, noNaN: true }),
      );
    case 'boolean':
      return fc.boolean();
    case 'array':
      return mostly(accepted, fc.array(plausible(schema.items ?? {}, name, ids), { maxLength: 3 }));
    default:
      if (typeof schema.additionalProperties === 'object')
        return fc.dictionary(fc.string({ maxLength: 12 }), fc.string({ maxLength: 30 }), { maxKeys: 4 });
      if (!schema.properties) return accepted;
      return fc.record(
        Object.fromEntries(
          Object.entries(schema.properties).map(([key, property]) => [key, plausible(property, key, ids)]),
        ),
        { requiredKeys: schema.required ?? [] },
      );
  }
}

/** `body` with `value` put at a dotted `path`, creating the objects and lists on the way. */
function setAt(body: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(body);
  const names = path.split('.');
  let holder: Record<string, unknown> = copy;
  for (const [index, name] of names.slice(0, -1).entries()) {
    if (typeof holder[name] !== 'object' || holder[name] === null)
      holder[name] = /^\d+$/.test(names[index + 1]) ? [] : {};
    holder = holder[name] as Record<string, unknown>;
  }
  holder[names.at(-1)!] = value;
  return copy;
}

/** Bodies the schema accepts: its required fields and any of its others, each with its accepted value. */
function accepted(operation: ApiOperation, ids: BodyIds): fc.Arbitrary<Record<string, unknown>> {
  const schema = operation.body!;
  const optional = Object.entries(schema.properties ?? {}).map(([name, property]) => [
    name,
    fc.constant(acceptedValue(property, name, ids)),
  ]);
  return fc
    .record(Object.fromEntries(optional), { requiredKeys: [] })
    .map((fields) => ({ ...fields, ...minimalBody(operation, ids) }));
}

const lastName = (path: string) => path.split('.').at(-1)!;

/**
 * Bodies for the operation: accepted ones; accepted but for one field with another plausible value; and
 * hostile ones (a field of a wrong type or value, a required field missing, a field it does not take, no
 * object at all).
 */
export function bodies(operation: ApiOperation, ids: BodyIds): fc.Arbitrary<unknown> {
  const schema = operation.body!;
  const base = accepted(operation, ids);
  const fields = fieldsOf(schema);
  const required = schema.required ?? [];
  const oneField = fields.length > 0 ? [fc.constantFrom(...fields)] : [];
  return fc.oneof(
    base,
    ...oneField.map((field) =>
      fc
        .tuple(base, field)
        .chain(([body, { path, schema: fieldSchema }]) =>
          plausible(fieldSchema, lastName(path), ids).map((value) => setAt(body, path, value)),
        ),
    ),
    ...oneField.map((field) =>
      fc.tuple(base, field, hostileScalar).map(([body, { path }, value]) => setAt(body, path, value)),
    ),
    ...(required.length > 0
      ? [
          fc.tuple(base, fc.constantFrom(...required)).map(([body, name]) => {
            const { [name]: _dropped, ...rest } = body;
            return rest;
          }),
        ]
      : []),
    fc.tuple(base, tempting, hostileScalar).map(([body, name, value]) => ({ ...body, [name]: value })),
    hostileScalar,
  );
}

/** Query strings for a list operation: each documented parameter left out, plausible or hostile. */
export function queries(
  operation: ApiOperation,
  ids: BodyIds,
): fc.Arbitrary<Partial<Record<string, string>>> {
  const parameters = operation.parameters.filter((parameter) => parameter.in === 'query');
  // A lone surrogate cannot be percent-encoded (the client throws): it goes as U+FFFD, as a browser sends it.
  const asText = (value: unknown) =>
    (typeof value === 'string' ? value : (JSON.stringify(value) ?? '')).replace(
      /[\ud800-\udfff]/gu,
      '\ufffd',
    );
  return fc.record(
    Object.fromEntries(
      parameters.map((parameter) => [
        parameter.name,
        fc.oneof(plausible(parameter.schema ?? {}, parameter.name, ids), hostileScalar).map(asText),
      ]),
    ),
    { requiredKeys: [] },
  );
}
