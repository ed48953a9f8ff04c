import { randomUUID } from 'node:crypto';
import type TestAgent from 'supertest/lib/agent.js';
import type { AuthResponseDto } from '../../src/auth/dto/auth.dto.js';
import type { Role } from '../../src/common/auth/roles.js';
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
