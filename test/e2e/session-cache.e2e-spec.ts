import { jest } from '@jest/globals';
import type pg from 'pg';
import { SessionCache } from '../../src/auth/session-cache.js';
import { type Account, addMember, expectProblem, signUpOwner } from '../support/factories.js';
import { claimsOf } from '../support/forged-tokens.js';
import { waitFor } from '../support/processes.js';
import { testConfig } from '../support/environment.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** Longer than any wait below for a notification, so only a notification can explain a refusal in time. */
const TTL_MS = 3000;
/** How long a notification may take to reach the other process. */
const NOTIFIED_WITHIN_MS = 500;

/** Revokes the session as an operator would, but with triggers off: no process is told of it. */
async function revokeUnnoticed(db: pg.Client, account: Account): Promise<void> {
  await db.query('BEGIN');
  await db.query('SET LOCAL session_replication_role = replica');
  await db.query('UPDATE sessions SET revoked_at = now() WHERE id = $1', [claimsOf(account).sid]);
  await db.query('COMMIT');
}

/**
 * Two API processes on one database, as deployed behind a load balancer: `cached` remembers sessions for
 * TTL_MS, `uncached` looks every request up (SESSION_CACHE_TTL_MS=0). Changes made through either, or by SQL,
 * must reach the other's cache through Postgres notifications.
 */
describe('session cache', () => {
  let cached: TestApp;
  let uncached: TestApp;
  beforeAll(async () => {
    cached = await startTestApp({ APP_ROLE: 'api', SESSION_CACHE_TTL_MS: String(TTL_MS) });
    uncached = await startTestApp({ APP_ROLE: 'api', SESSION_CACHE_TTL_MS: '0' });
  });
  afterAll(async () => {
    await cached?.close();
    await uncached?.close();
  });

  const me = (sut: TestApp, account: Account) =>
    sut.http.get('/v1/auth/me').set('Authorization', account.bearer);
  const renameOrganization = (sut: TestApp, account: Account) =>
    sut.http.patch('/v1/organization').set('Authorization', account.bearer).send({ name: 'Renamed' });
  const refusedBy = (sut: TestApp, account: Account, status = 401) =>
    waitFor(async () => (await me(sut, account)).status === status, NOTIFIED_WITHIN_MS, `a ${status}`, 10);

  it('answers from memory: a revocation nobody is told of is refused by the uncached process at once, by the cached one after its TTL', async () => {
    const owner = await signUpOwner(cached.http);
    await me(cached, owner).expect(200);

    await revokeUnnoticed(cached.db, owner);

    expectProblem(await me(uncached, owner), 401, 'unauthorized');
    await me(cached, owner).expect(200);
    await waitFor(async () => (await me(cached, owner)).status === 401, TTL_MS + 1000, 'the TTL', 100);
  });

  it('refuses a session logged out through the other process as soon as the notification arrives', async () => {
    const owner = await signUpOwner(cached.http);
    await me(cached, owner).expect(200);

    await uncached.http.post('/v1/auth/logout').set('Authorization', owner.bearer).expect(204);

    await refusedBy(cached, owner);
  });

  it('refuses a session revoked by SQL, which the trigger notifies', async () => {
    const owner = await signUpOwner(cached.http);
    await me(cached, owner).expect(200);

    await cached.db.query('UPDATE sessions SET revoked_at = now() WHERE id = $1', [claimsOf(owner).sid]);

    await refusedBy(cached, owner);
  });

  it('applies a role changed through the other process', async () => {
    const owner = await signUpOwner(cached.http);
    const admin = await addMember(cached.http, owner, 'admin');
    await renameOrganization(cached, admin).expect(200);

    await uncached.http
      .patch(`/v1/members/${admin.userId}`)
      .set('Authorization', owner.bearer)
      .send({ role: 'viewer' })
      .expect(200);

    await waitFor(
      async () => (await renameOrganization(cached, admin)).status === 403,
      NOTIFIED_WITHIN_MS,
      'a 403',
      10,
    );
  });

  it('refuses a member removed through the other process', async () => {
    const owner = await signUpOwner(cached.http);
    const member = await addMember(cached.http, owner, 'member');
    await me(cached, member).expect(200);

    await uncached.http.delete(`/v1/members/${member.userId}`).set('Authorization', owner.bearer).expect(204);

    await refusedBy(cached, member);
  });

  it('keeps no session past its end, though the TTL runs longer', async () => {
    const owner = await signUpOwner(cached.http);
    await cached.db.query(`UPDATE sessions SET expires_at = now() + interval '1 second' WHERE id = $1`, [
      claimsOf(owner).sid,
    ]);
    await me(cached, owner).expect(200);

    await new Promise((resolve) => setTimeout(resolve, 1200));

    expectProblem(await me(cached, owner), 401, 'unauthorized');
  });

  it('drops what it remembers when its notification connection is lost, and listens again', async () => {
    const cache = cached.app.get(SessionCache);
    const owner = await signUpOwner(cached.http);
    const other = await signUpOwner(cached.http);
    await me(cached, owner).expect(200);

    const { rows } = await cached.db.query(
      `SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity
        WHERE datname = current_database() AND application_name = 'invoicing session cache'`,
    );
    expect(rows.length).toBeGreaterThan(0);
    await waitFor(() => !cache.listening, 2000, 'the lost connection');
    await revokeUnnoticed(cached.db, owner);

    expectProblem(await me(cached, owner), 401, 'unauthorized');
    // Lookups connect it again (a second after the loss at most) and, once it listens, remembering resumes.
    await waitFor(async () => (await me(cached, other)).ok && cache.listening, 5000, 'LISTEN again', 100);
    await me(cached, other).expect(200);
    await revokeUnnoticed(cached.db, other);
    await me(cached, other).expect(200);
  });
});

describe('SessionCache', () => {
  let sut: SessionCache;
  beforeAll(async () => {
    sut = new SessionCache(testConfig({ SESSION_CACHE_TTL_MS: '60000' }));
    await sut.onApplicationBootstrap();
  });
  afterAll(() => sut.onModuleDestroy());

  const user = { userId: 'u1', organizationId: 'o1', role: 'owner' as const, sessionId: 's1' };
  const live = { user, expiresAt: new Date(Date.now() + 3_600_000) };

  it('keeps a lookup, for that session and user only', async () => {
    const load = jest.fn(async () => live);

    await sut.lookup('s1', 'u1', load);
    expect(await sut.lookup('s1', 'u1', load)).toEqual(user);
    expect(load).toHaveBeenCalledTimes(1);

    await sut.lookup('s1', 'u2', async () => null);
    expect(await sut.lookup('s1', 'u2', async () => null)).toBeNull();
  });

  it('does not keep a lookup that overlapped a revocation: it may have read the session before it', async () => {
    let finish!: () => void;
    const slowLoad = () => new Promise<typeof live>((resolve) => (finish = () => resolve(live)));
    const pending = sut.lookup('s2', 'u1', slowLoad);

    sut.forgetSession('s2');
    finish();
    await pending;

    const load = jest.fn(async () => null);
    expect(await sut.lookup('s2', 'u1', load)).toBeNull();
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('forgets every session of a user', async () => {
    await sut.lookup('s3', 'u3', async () => ({ ...live, user: { ...user, userId: 'u3', sessionId: 's3' } }));
    await sut.lookup('s4', 'u3', async () => ({ ...live, user: { ...user, userId: 'u3', sessionId: 's4' } }));

    sut.forgetUser('u3');

    const load = jest.fn(async () => null);
    await sut.lookup('s3', 'u3', load);
    await sut.lookup('s4', 'u3', load);
    expect(load).toHaveBeenCalledTimes(2);
  });
});
