import {
  type Account,
  actingAs,
  addMember,
  expectProblem,
  PASSWORD,
  PROBLEM_JSON,
  signUpOwner,
} from '../../support/factories.js';
import { claimsOf, forge, FORGED_TOKENS, ONE_MINUTE } from '../../support/forged-tokens.js';
import { randomIp } from '../../support/test-app.js';
import { type AbuseApp, startAbuseApp } from './abuse-app.js';
import { type ApiOperation, fillPath, send } from './api-document.js';
import { watchWrites } from './database-fingerprint.js';
import {
  type OrganizationObjects,
  organizationWithOneOfEverything,
  ownPathValues,
} from './organization-fixture.js';
import { minimalBody } from './schema-values.js';
import { printTallies, Tally } from './tally.js';

describe('abuse: forged and revoked tokens on every route', () => {
  let app: AbuseApp;
  let operations: ApiOperation[];
  /** The organization whose objects every route names; its owner's tokens are the ones forged. */
  let home: OrganizationObjects;
  /** Another organization's owner, whose identity forged tokens try to borrow. */
  let victim: Account;
  const forgedTally = new Tally('forged tokens');
  const revokedTally = new Tally('revoked sessions');

  beforeAll(async () => {
    app = await startAbuseApp('abuse_tokens');
    operations = app.operations.filter((operation) => operation.secured);
    home = await organizationWithOneOfEverything(app.sut.http);
    victim = await signUpOwner(app.sut.http, 'Victim');
  });
  afterAll(async () => {
    printTallies('forged-tokens', [forgedTally, revokedTally]);
    await app?.close();
  });

  /**
   * Sends `token` to every secured operation, on real objects, and lists each answer that is not a clean 401,
   * and any table the requests changed.
   */
  async function sweep(label: string, token: string, tally: Tally): Promise<string[]> {
    const problems: string[] = [];
    const { changed } = await watchWrites(app.sut.db, async () => {
      for (const operation of operations) {
        const response = await send(
          app.sut.http,
          operation,
          fillPath(operation, ownPathValues(operation, home)),
          {
            bearer: `Bearer ${token}`,
            body: minimalBody(operation, { customerId: home.customer, invoiceId: home.issuedInvoice }),
          },
        );
        tally.count(response.status);
        const refused =
          response.status === 401 &&
          PROBLEM_JSON.test(response.headers['content-type']) &&
          response.body.code === 'unauthorized';
        if (!refused) problems.push(`${label}, ${operation.route}: ${response.status} ${response.text}`);
      }
    });
    tally.wrote(changed.length);
    if (changed.length > 0) problems.push(`${label}: wrote ${changed.join(', ')}`);
    return problems;
  }

  const login = async (account: Account) =>
    (
      await app.sut.http
        .post('/v1/auth/login')
        .set('X-Forwarded-For', randomIp())
        .send({ email: account.email, password: PASSWORD })
        .expect(200)
    ).body as { accessToken: string; refreshToken: string };

  // Proves forge() makes tokens the server accepts, so each refusal below is down to its one difference.
  it('accepts a token forged exactly as the server signs them', async () => {
    const token = forge(claimsOf(home.owner), { expiresIn: ONE_MINUTE });

    const response = await app.sut.http
      .get('/v1/auth/me')
      .set('Authorization', `Bearer ${token}`)
      .expect(200);

    expect(response.body.user.id).toBe(home.owner.userId);
  });

  it('refuses every forged token on every route with 401 unauthorized, and writes nothing', async () => {
    const problems: string[] = [];
    for (const [label, makeToken] of FORGED_TOKENS) {
      problems.push(...(await sweep(label, makeToken(home.owner, victim), forgedTally)));
    }

    expect(problems).toEqual([]);
    expect(operations.length).toBeGreaterThan(40);
  });

  it('refuses a session’s access token on every route once the session logged out', async () => {
    const session = await login(home.owner);
    await app.sut.http
      .post('/v1/auth/logout')
      .set('Authorization', `Bearer ${session.accessToken}`)
      .expect(204);

    expect(await sweep('after logout', session.accessToken, revokedTally)).toEqual([]);
  });

  it('refuses a member’s access token on every route once the member was removed', async () => {
    const member = await addMember(app.sut.http, home.owner, 'admin');
    await actingAs(app.sut.http, home.owner).delete(`/v1/members/${member.userId}`).expect(204);

    expect(await sweep('after removal', member.accessToken, revokedTally)).toEqual([]);
  });

  it('refuses the rotated access token on every route once a spent refresh token was replayed', async () => {
    const session = await login(home.owner);
    const rotated = (
      await app.sut.http.post('/v1/auth/refresh').send({ refreshToken: session.refreshToken }).expect(200)
    ).body;
    expectProblem(
      await app.sut.http.post('/v1/auth/refresh').send({ refreshToken: session.refreshToken }),
      401,
      'invalid_refresh_token',
    );

    expect(await sweep('after refresh reuse', rotated.accessToken, revokedTally)).toEqual([]);
  });

  it('takes role and organization from the session, never from claims a token adds', async () => {
    const viewer = await addMember(app.sut.http, home.owner, 'viewer');
    const token = forge(
      {
        ...claimsOf(viewer),
        role: 'owner',
        organizationId: victim.organizationId,
        org: victim.organizationId,
      },
      { expiresIn: ONE_MINUTE },
    );
    const bearer = `Bearer ${token}`;

    const me = await app.sut.http.get('/v1/auth/me').set('Authorization', bearer).expect(200);
    const remove = await app.sut.http.delete(`/v1/customers/${home.customer}`).set('Authorization', bearer);

    expect({ role: me.body.user.role, organization: me.body.organization.id }).toEqual({
      role: 'viewer',
      organization: home.owner.organizationId,
    });
    expectProblem(remove, 403, 'insufficient_role');
  });
});
