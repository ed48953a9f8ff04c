import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type TestAgent from 'supertest/lib/agent.js';
import type { AuthResponseDto } from '../../src/auth/dto/auth.dto.js';
import type { Role } from '../../src/common/auth/roles.js';
import type { InvoiceResponseDto } from '../../src/invoices/dto/invoice.dto.js';
import type { PaymentResponseDto } from '../../src/payments/dto/payment.dto.js';
import { randomIp } from './test-app.js';

export const PASSWORD = 'correct horse battery staple';

export interface Account {
  accessToken: string;
  refreshToken: string;
  email: string;
  userId: string;
  organizationId: string;
  /** `Authorization` header value. */
  bearer: string;
}

export const uniqueEmail = (label = 'user') => `${label}-${randomUUID()}@example.test`;

function toAccount(body: AuthResponseDto): Account {
  return {
    accessToken: body.accessToken,
    refreshToken: body.refreshToken,
    email: body.user.email,
    userId: body.user.id,
    organizationId: body.organization.id,
    bearer: `Bearer ${body.accessToken}`,
  };
}

/** Signs up a new user who owns a new organization. */
export async function signUpOwner(http: TestAgent, organizationName = 'Acme'): Promise<Account> {
  const response = await http
    .post('/v1/auth/signup')
    .set('X-Forwarded-For', randomIp())
    .send({ email: uniqueEmail('owner'), password: PASSWORD, name: 'Olive Owner', organizationName })
    .expect(201);
  return toAccount(response.body);
}

/** Invites a new user into the owner's organization with `role` and signs them up. */
export async function addMember(http: TestAgent, owner: Account, role: Role): Promise<Account> {
  const email = uniqueEmail(role);
  const invitation = await http
    .post('/v1/invitations')
    .set('Authorization', owner.bearer)
    .send({ email, role })
    .expect(201);
  const response = await http
    .post('/v1/auth/signup')
    .set('X-Forwarded-For', randomIp())
    .send({ email, password: PASSWORD, name: `Mo ${role}`, inviteToken: invitation.body.token })
    .expect(201);
  return toAccount(response.body);
}

/** Creates a customer in the account's organization. */
export async function createCustomer(
  http: TestAgent,
  account: Account,
  fields: Record<string, unknown> = {},
) {
  const response = await http
    .post('/v1/customers')
    .set('Authorization', account.bearer)
    .send({ name: 'Globex', email: uniqueEmail('customer'), ...fields })
    .expect(201);
  return response.body as { id: string; name: string; email: string };
}

export const PROBLEM_JSON = /^application\/problem\+json/;

/** Asserts an RFC 9457 answer: status, problem+json content type and the stable code, all shown on failure. */
export function expectProblem(
  response: { status: number; headers: Record<string, string>; body: unknown },
  status: number,
  code: string,
): void {
  const body = response.body as { code?: unknown } | null;
  expect({
    status: response.status,
    contentType: response.headers['content-type'],
    code: body?.code,
  }).toEqual({
    status,
    contentType: expect.stringMatching(PROBLEM_JSON),
    code,
  });
}

/** Requests carrying `account`'s access token. */
export function actingAs(http: TestAgent, account: Account) {
  return {
    get: (path: string) => http.get(path).set('Authorization', account.bearer),
    post: (path: string, body?: object) => {
      const request = http.post(path).set('Authorization', account.bearer);
      return body === undefined ? request : request.send(body);
    },
    patch: (path: string, body: object) => http.patch(path).set('Authorization', account.bearer).send(body),
    delete: (path: string) => http.delete(path).set('Authorization', account.bearer),
  };
}

/** What a JSON body holds for a response DTO: its Dates arrive as ISO strings. */
type Jsonified<T> = T extends Date
  ? string
  : T extends (infer Item)[]
    ? Jsonified<Item>[]
    : T extends object
      ? { [K in keyof T]: Jsonified<T[K]> }
      : T;

/** An invoice as the API answers it. */
export type InvoiceBody = Jsonified<InvoiceResponseDto>;

/** One invoice line as a client sends it: 2 × 50.00, no discount, no tax, unless overridden. */
export const lineItem = (fields: object = {}) => ({
  description: 'Consulting',
  quantity: 2,
  unitAmount: 5000,
  ...fields,
});

/** Creates a draft with one line, for `customerId` or a new customer of the account's organization. */
export async function createInvoice(
  http: TestAgent,
  account: Account,
  fields: Record<string, unknown> = {},
): Promise<InvoiceBody> {
  const customerId = fields.customerId ?? (await createCustomer(http, account)).id;
  const response = await actingAs(http, account)
    .post('/v1/invoices', { customerId, lineItems: [lineItem()], ...fields })
    .expect(201);
  return response.body;
}

/** Reads an invoice (200). */
export async function getInvoice(http: TestAgent, account: Account, id: string): Promise<InvoiceBody> {
  return (await actingAs(http, account).get(`/v1/invoices/${id}`).expect(200)).body;
}

/** Finalizes a draft (200) and answers the issued invoice. */
export async function finalizeInvoice(http: TestAgent, account: Account, id: string): Promise<InvoiceBody> {
  return (await actingAs(http, account).post(`/v1/invoices/${id}/finalize`).expect(200)).body;
}

export interface EventRow {
  type: string;
  organizationId: string;
  data: unknown;
}

/** The outbox rows about one object (its `data.id`), oldest first. */
export async function eventsAbout(db: pg.ClientBase, id: string): Promise<EventRow[]> {
  const { rows } = await db.query<EventRow>(
    `SELECT type, organization_id AS "organizationId", data FROM events WHERE data->>'id' = $1 ORDER BY id`,
    [id],
  );
  return rows;
}

/** A payment as the API answers it. */
export type PaymentBody = Jsonified<PaymentResponseDto>;

/** A new invoice of the account's organization, finalized: open, 2 × 50.00 = 10000 due unless lines say otherwise. */
export async function openInvoice(
  http: TestAgent,
  account: Account,
  fields: Record<string, unknown> = {},
): Promise<InvoiceBody> {
  return finalizeInvoice(http, account, (await createInvoice(http, account, fields)).id);
}

/** Records a payment (201) of `amount` by bank transfer unless `fields` say otherwise. */
export async function createPayment(
  http: TestAgent,
  account: Account,
  invoiceId: string,
  amount: number,
  fields: Record<string, unknown> = {},
): Promise<PaymentBody> {
  const response = await actingAs(http, account)
    .post('/v1/payments', { invoiceId, amount, method: 'bank_transfer', ...fields })
    .expect(201);
  return response.body;
}

/** Refunds a payment (201): all that is left unless `fields` give an amount. */
export async function refundPayment(
  http: TestAgent,
  account: Account,
  paymentId: string,
  fields: Record<string, unknown> = {},
): Promise<PaymentBody> {
  return (await actingAs(http, account).post(`/v1/payments/${paymentId}/refunds`, fields).expect(201)).body;
}

/** Every outbox row of one organization, oldest first. */
export async function eventsOf(db: pg.ClientBase, organizationId: string): Promise<EventRow[]> {
  const { rows } = await db.query<EventRow>(
    `SELECT type, organization_id AS "organizationId", data FROM events WHERE organization_id = $1 ORDER BY id`,
    [organizationId],
  );
  return rows;
}

/** The payment rows of one invoice as stored, oldest first (amounts as numbers). */
export async function paymentRowsOf(db: pg.ClientBase, invoiceId: string) {
  const { rows } = await db.query<{ id: string; amount: number; amountRefunded: number; status: string }>(
    `SELECT id, amount::float8 AS amount, amount_refunded::float8 AS "amountRefunded", status
       FROM payments WHERE invoice_id = $1 ORDER BY id`,
    [invoiceId],
  );
  return rows;
}
