import { signUpOwner } from '../../support/factories.js';
import { type AbuseApp, refusalProblems, sendOwn, startAbuseApp } from './abuse-app.js';
import type { ApiOperation, Schema } from './api-document.js';
import { type OrganizationObjects, organizationWithOneOfEverything } from './organization-fixture.js';
import { acceptedValue, type BodyIds, minimalBody } from './schema-values.js';
import { printTallies, Tally } from './tally.js';

/** Fields the server owns on every resource, tried on every body besides those its own answer shows. */
const SERVER_OWNED = [
  'id',
  'organizationId',
  'userId',
  'role',
  'status',
  'number',
  'subtotal',
  'total',
  'amountPaid',
  'amountDue',
  'amountRefunded',
  'secret',
  'passwordHash',
  'createdAt',
  'updatedAt',
];

interface Injection {
  /** The dotted path the refusal must name: `total`, `lineItems.0.amount`. */
  field: string;
  body: Record<string, unknown>;
}

/** A value a careless server would store: the victim's ids, the top role, the last status, zero money. */
function tempting(name: string, schema: Schema | undefined, victimOrganizationId: string): unknown {
  if (name === 'organizationId') return victimOrganizationId;
  if (schema?.enum) return schema.enum.at(-1);
  if (name === 'role') return 'owner';
  if (schema?.type === 'number' || /amount|total/i.test(name)) return 0;
  if (schema?.type === 'boolean') return true;
  if (schema?.type === 'object') return {};
  if (schema?.type === 'array') return [];
  return name === 'id' ? victimOrganizationId : 'INV-000001';
}

/** The names in `candidates` the request schema does not declare. */
const undeclared = (request: Schema, candidates: string[]) =>
  [...new Set(candidates)].filter((name) => !(name in (request.properties ?? {})));

/**
 * One body per server-owned field: the fields its answer shows and the request does not take, and the common
 * ones; then the same inside each nested object the answer shows under the same name (`lineItems.0.amount`).
 */
function injections(operation: ApiOperation, ids: BodyIds, victimOrganizationId: string): Injection[] {
  const request = operation.body!;
  const response = operation.response?.properties ?? {};
  const base = minimalBody(operation, ids)!;
  const topLevel = undeclared(request, [...Object.keys(response), ...SERVER_OWNED]).map((field) => ({
    field,
    body: { ...base, [field]: tempting(field, response[field], victimOrganizationId) },
  }));
  const nested = Object.entries(request.properties ?? {}).flatMap(([name, property]) => {
    const isList = property.type === 'array';
    const requestItem = isList ? property.items : property;
    const responseProperty = response[name];
    const responseItem = isList ? responseProperty?.items : responseProperty;
    if (requestItem?.type !== 'object' || !requestItem.properties || !responseItem?.properties) return [];
    const item = acceptedValue(requestItem, name, ids) as Record<string, unknown>;
    return undeclared(requestItem, Object.keys(responseItem.properties)).map((field) => {
      const poisoned = {
        ...item,
        [field]: tempting(field, responseItem.properties![field], victimOrganizationId),
      };
      return {
        field: `${name}.${isList ? '0.' : ''}${field}`,
        body: { ...base, [name]: isList ? [poisoned] : poisoned },
      };
    });
  });
  return [...topLevel, ...nested];
}

describe('abuse: mass assignment', () => {
  let app: AbuseApp;
  let home: OrganizationObjects;
  let victimOrganizationId: string;
  const tally = new Tally('server-owned fields added to valid bodies');

  beforeAll(async () => {
    app = await startAbuseApp('abuse_mass');
    home = await organizationWithOneOfEverything(app.sut.http);
    victimOrganizationId = (await signUpOwner(app.sut.http, 'Victim')).organizationId;
  });
  afterAll(async () => {
    printTallies('mass-assignment', [tally]);
    await app?.close();
  });

  // Stripe's events are free-form by contract (additionalProperties: true); its signature guards them.
  const bodiesWithFixedFields = () =>
    app.operations.filter((operation) => operation.body && operation.body.additionalProperties !== true);

  it('refuses every create and update body carrying a server-owned field with 400 naming it, and writes nothing', async () => {
    const problems: string[] = [];
    const tried: string[] = [];
    for (const operation of bodiesWithFixedFields()) {
      const ids = { customerId: home.customer, invoiceId: home.issuedInvoice };
      for (const { field, body } of injections(operation, ids, victimOrganizationId)) {
        const answer = await sendOwn(app, home, operation, body);
        tally.count(answer.response.status, answer.changed.length > 0);
        problems.push(...refusalProblems(`${operation.route} + ${field}`, answer, [field]));
        tried.push(`${operation.route} ${field}`);
      }
    }

    expect(problems).toEqual([]);
    expect(tried).toEqual(
      expect.arrayContaining([
        'POST /v1/auth/signup role',
        'POST /v1/customers organizationId',
        'POST /v1/invoices total',
        'POST /v1/invoices lineItems.0.amount',
        'PATCH /v1/invoices/{id} status',
        'POST /v1/payments status',
        'PATCH /v1/members/{userId} organizationId',
        'POST /v1/webhook-endpoints secret',
      ]),
    );
  });

  // Proves the bodies the injections start from are accepted, so each refusal is down to the added field.
  it('accepts the same bodies without the server-owned field', async () => {
    const owner = await organizationWithOneOfEverything(app.sut.http);
    const refused: string[] = [];
    for (const operation of bodiesWithFixedFields()) {
      if (operation.route === 'POST /v1/auth/login' || operation.route === 'POST /v1/auth/refresh') continue;
      const body = minimalBody(operation, { customerId: owner.customer, invoiceId: owner.issuedInvoice });
      const { response } = await sendOwn(app, owner, operation, body);
      if (response.status >= 400) refused.push(`${operation.route}: ${response.status} ${response.text}`);
    }

    expect(refused).toEqual([]);
  });
});
