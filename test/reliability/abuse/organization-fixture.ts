import type TestAgent from 'supertest/lib/agent.js';
import {
  type Account,
  actingAs,
  addMember,
  createCustomer,
  createInvoice,
  createPayment,
  openInvoice,
  refundPayment,
  signUpOwner,
  uniqueEmail,
} from '../../support/factories.js';
import { type ApiOperation, pathParameters } from './api-document.js';

/** A public address written as a literal: registration accepts it without DNS, and no worker ever calls it. */
export const PUBLIC_WEBHOOK_URL = 'https://93.184.215.14/hooks/abuse';

/** One real object of every kind an operation can name, all in one organization. */
export interface OrganizationObjects {
  owner: Account;
  member: Account;
  customer: string;
  draftInvoice: string;
  /** Paid in full (a notification), then half refunded: open again, 5000 due, with a payment and a refund. */
  issuedInvoice: string;
  payment: string;
  invitation: string;
  webhookEndpoint: string;
  event: string;
  notification: string;
}

/** Builds an organization through the API with one of everything, for sweeps that need real ids. */
export async function organizationWithOneOfEverything(http: TestAgent): Promise<OrganizationObjects> {
  const owner = await signUpOwner(http, 'Abuse Target');
  const as = actingAs(http, owner);
  const member = await addMember(http, owner, 'member');
  const customer = (await createCustomer(http, owner)).id;
  const draftInvoice = (await createInvoice(http, owner, { customerId: customer })).id;
  const issued = await openInvoice(http, owner, { customerId: customer });
  const payment = (await createPayment(http, owner, issued.id, issued.amountDue)).id;
  await refundPayment(http, owner, payment, { amount: issued.amountDue / 2 });
  const invitation = (
    await as.post('/v1/invitations', { email: uniqueEmail('invitee'), role: 'viewer' }).expect(201)
  ).body.id;
  const webhookEndpoint = (
    await as.post('/v1/webhook-endpoints', { url: PUBLIC_WEBHOOK_URL, events: ['*'] }).expect(201)
  ).body.id;
  const event = (await as.get('/v1/events?limit=1').expect(200)).body.data[0].id;
  const notification = (await as.get('/v1/notifications?limit=1').expect(200)).body.data[0].id;
  return {
    owner,
    member,
    customer,
    draftInvoice,
    issuedInvoice: issued.id,
    payment,
    invitation,
    webhookEndpoint,
    event,
    notification,
  };
}

/**
 * Which objects may fill a parameter, by the path segment it follows and its name (`customers/{id}`),
 * or by its own name for query and body fields (`customerId`).
 */
export const ID_SOURCES: Record<string, (objects: OrganizationObjects) => string[]> = {
  'members/{userId}': (objects) => [objects.member.userId, objects.owner.userId],
  'invitations/{id}': (objects) => [objects.invitation],
  'customers/{id}': (objects) => [objects.customer],
  'invoices/{id}': (objects) => [objects.draftInvoice, objects.issuedInvoice],
  'payments/{id}': (objects) => [objects.payment],
  'notifications/{id}': (objects) => [objects.notification],
  'webhook-endpoints/{id}': (objects) => [objects.webhookEndpoint],
  'events/{id}': (objects) => [objects.event],
  customerId: (objects) => [objects.customer],
  invoiceId: (objects) => [objects.draftInvoice, objects.issuedInvoice],
};

/** The objects that fill `key`; a key missing from ID_SOURCES fails loudly, so no new route goes unswept. */
export function idsFor(objects: OrganizationObjects, key: string): string[] {
  const source = ID_SOURCES[key];
  if (!source) throw new Error(`No object of the organization is known to fill ${key}: add it to ID_SOURCES`);
  return source(objects);
}

/** The key idsFor knows a path parameter by: the segment before it and its placeholder. */
export function pathParameterKey(path: string, name: string): string {
  const match = new RegExp(`([\\w-]+)/\\{${name}\\}`).exec(path);
  if (!match) throw new Error(`{${name}} in ${path} follows no path segment`);
  return `${match[1]}/{${name}}`;
}

/** Each path parameter of the operation filled with the first of `objects` that fits it. */
export function ownPathValues(operation: ApiOperation, objects: OrganizationObjects): Record<string, string> {
  return Object.fromEntries(
    pathParameters(operation).map(({ name }) => [
      name,
      idsFor(objects, pathParameterKey(operation.path, name))[0],
    ]),
  );
}
