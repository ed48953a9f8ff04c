import { randomUUID } from 'node:crypto';
import type { Role } from '../../src/common/auth/roles.js';
import { type Account, addMember, expectProblem, PASSWORD, signUpOwner } from '../support/factories.js';
import { randomIp, startTestApp, type TestApp } from '../support/test-app.js';

const fieldsOf = (body: { errors?: { field: string }[] }) => (body.errors ?? []).map((error) => error.field);

interface Member {
  id: string;
  email: string;
  name: string;
  role: Role;
  createdAt: string;
}

describe('members', () => {
  let sut: TestApp;
  beforeAll(async () => {
    sut = await startTestApp();
  });
  afterAll(() => sut.close());

  const listMembers = (caller: Account, query: Record<string, unknown> = {}) =>
    sut.http.get('/v1/members').query(query).set('Authorization', caller.bearer);
  const changeRole = (caller: Account, userId: string, role: unknown) =>
    sut.http.patch(`/v1/members/${userId}`).set('Authorization', caller.bearer).send({ role });
  const removeMember = (caller: Account, userId: string) =>
    sut.http.delete(`/v1/members/${userId}`).set('Authorization', caller.bearer);
  const me = (caller: Account) => sut.http.get('/v1/auth/me').set('Authorization', caller.bearer);
  const renameOrganization = (caller: Account) =>
    sut.http.patch('/v1/organization').set('Authorization', caller.bearer).send({ name: 'Renamed' });
  const rolesOf = async (owner: Account) => {
    const members: Member[] = (await listMembers(owner).expect(200)).body.data;
    return Object.fromEntries(members.map((member) => [member.id, member.role]));
  };

  /** An organization with two owners: the one who signed up and one invited as owner. */
  const twoOwners = async () => {
    const first = await signUpOwner(sut.http);
    const second = await addMember(sut.http, first, 'owner');
    return { first, second };
  };

  describe('GET /v1/members', () => {
    it('lets a viewer list the organization’s members, newest first', async () => {
      const owner = await signUpOwner(sut.http);
      const admin = await addMember(sut.http, owner, 'admin');
      const viewer = await addMember(sut.http, owner, 'viewer');

      const response = await listMembers(viewer).expect(200);

      expect(response.body).toEqual({
        data: [
          {
            id: viewer.userId,
            email: viewer.email,
            name: 'Mo viewer',
            role: 'viewer',
            createdAt: expect.any(String),
          },
          {
            id: admin.userId,
            email: admin.email,
            name: 'Mo admin',
            role: 'admin',
            createdAt: expect.any(String),
          },
          {
            id: owner.userId,
            email: owner.email,
            name: 'Olive Owner',
            role: 'owner',
            createdAt: expect.any(String),
          },
        ],
        nextCursor: null,
      });
    });

    it('never shows another organization’s members', async () => {
      const owner = await signUpOwner(sut.http);
      await addMember(sut.http, owner, 'member');
      const stranger = await signUpOwner(sut.http);

      const response = await listMembers(stranger).expect(200);

      expect(response.body.data.map((member: Member) => member.id)).toEqual([stranger.userId]);
    });

    it('pages with limit and cursor', async () => {
      const owner = await signUpOwner(sut.http);
      const member = await addMember(sut.http, owner, 'member');

      const first = await listMembers(owner, { limit: 1 }).expect(200);
      const second = await listMembers(owner, { limit: 1, cursor: first.body.nextCursor }).expect(200);

      expect(first.body.data.map((item: Member) => item.id)).toEqual([member.userId]);
      expect(second.body).toEqual({
        data: [expect.objectContaining({ id: owner.userId })],
        nextCursor: null,
      });
    });

    it.each([
      ['limit', { limit: 0 }],
      ['limit', { limit: 101 }],
      ['limit', { limit: 'ten' }],
    ])('refuses a bad %s (400): %j', async (field, query) => {
      const owner = await signUpOwner(sut.http);

      const response = await listMembers(owner, query);

      expectProblem(response, 400, 'validation_failed');
      expect(fieldsOf(response.body)).toContain(field);
    });

    it('refuses a cursor it did not issue (400 invalid_cursor)', async () => {
      const owner = await signUpOwner(sut.http);

      expectProblem(await listMembers(owner, { cursor: 'bm90LWEtdXVpZA' }), 400, 'invalid_cursor');
    });

    it('needs a token', async () => {
      expectProblem(await sut.http.get('/v1/members'), 401, 'unauthorized');
    });
  });

  describe('PATCH /v1/members/:userId', () => {
    it('lets the owner change a member’s role', async () => {
      const owner = await signUpOwner(sut.http);
      const member = await addMember(sut.http, owner, 'member');

      const response = await changeRole(owner, member.userId, 'viewer').expect(200);

      expect(response.body).toEqual({
        id: member.userId,
        email: member.email,
        name: 'Mo member',
        role: 'viewer',
        createdAt: expect.any(String),
      });
      expect((await rolesOf(owner))[member.userId]).toBe('viewer');
    });

    it('takes effect on a promoted member’s existing token at once', async () => {
      const owner = await signUpOwner(sut.http);
      const member = await addMember(sut.http, owner, 'member');
      expectProblem(await renameOrganization(member), 403, 'insufficient_role');

      await changeRole(owner, member.userId, 'admin').expect(200);

      await renameOrganization(member).expect(200);
      expect((await me(member).expect(200)).body.user.role).toBe('admin');
    });

    it('takes effect on a demoted admin’s existing token at once', async () => {
      const owner = await signUpOwner(sut.http);
      const admin = await addMember(sut.http, owner, 'admin');
      await renameOrganization(admin).expect(200);

      await changeRole(owner, admin.userId, 'viewer').expect(200);

      expectProblem(await renameOrganization(admin), 403, 'insufficient_role');
    });

    it.each<Role>(['admin', 'member', 'viewer'])(
      'refuses a %s (403), leaving the role unchanged',
      async (role) => {
        const owner = await signUpOwner(sut.http);
        const caller = await addMember(sut.http, owner, role);
        const target = await addMember(sut.http, owner, 'viewer');

        expectProblem(await changeRole(caller, target.userId, 'admin'), 403, 'insufficient_role');
        expectProblem(await changeRole(caller, caller.userId, 'owner'), 403, 'insufficient_role');

        const roles = await rolesOf(owner);
        expect([roles[target.userId], roles[caller.userId]]).toEqual(['viewer', role]);
      },
    );

    it('refuses to demote the last owner (409 last_owner)', async () => {
      const owner = await signUpOwner(sut.http);
      await addMember(sut.http, owner, 'admin');

      expectProblem(await changeRole(owner, owner.userId, 'admin'), 409, 'last_owner');

      expect((await me(owner).expect(200)).body.user.role).toBe('owner');
    });

    it('lets an owner step down when another owner remains', async () => {
      const { first, second } = await twoOwners();

      await changeRole(first, first.userId, 'admin').expect(200);

      expect(await rolesOf(second)).toEqual({ [first.userId]: 'admin', [second.userId]: 'owner' });
      expectProblem(await changeRole(first, second.userId, 'admin'), 403, 'insufficient_role');
    });

    it('lets exactly one of two owners demoting each other at once succeed', async () => {
      for (let round = 0; round < 5; round++) {
        const { first, second } = await twoOwners();

        const responses = await Promise.all([
          changeRole(first, second.userId, 'admin'),
          changeRole(second, first.userId, 'admin'),
        ]);

        const [winner, loser] = responses[0].status === 200 ? responses : [responses[1], responses[0]];
        expect(winner.status).toBe(200);
        // The loser either waited on the lock and found itself the last owner, or arrived already demoted.
        if (loser.status === 403) expectProblem(loser, 403, 'insufficient_role');
        else expectProblem(loser, 409, 'last_owner');
        expect(Object.values(await rolesOf(first)).sort()).toEqual(['admin', 'owner']);
      }
    });

    it('answers 404 for another organization’s member or an unknown id', async () => {
      const owner = await signUpOwner(sut.http);
      const stranger = await signUpOwner(sut.http);

      expectProblem(await changeRole(owner, stranger.userId, 'viewer'), 404, 'member_not_found');
      expectProblem(await changeRole(owner, randomUUID(), 'viewer'), 404, 'member_not_found');
      expect((await me(stranger).expect(200)).body.user.role).toBe('owner');
    });

    it('refuses an id that is not a UUID (400)', async () => {
      const owner = await signUpOwner(sut.http);

      const response = await changeRole(owner, 'not-a-uuid', 'viewer');

      expectProblem(response, 400, 'validation_failed');
      expect(fieldsOf(response.body)).toEqual(['id']);
    });

    it.each([['superuser'], ['Owner'], [null], [7]])('refuses role = %j (400)', async (role) => {
      const owner = await signUpOwner(sut.http);
      const member = await addMember(sut.http, owner, 'member');

      const response = await changeRole(owner, member.userId, role);

      expectProblem(response, 400, 'validation_failed');
      expect(fieldsOf(response.body)).toEqual(['role']);
    });
  });

  describe('DELETE /v1/members/:userId', () => {
    it('removes a member: their access and refresh tokens stop working at once', async () => {
      const owner = await signUpOwner(sut.http);
      const member = await addMember(sut.http, owner, 'member');

      await removeMember(owner, member.userId).expect(204);

      expectProblem(await me(member), 401, 'unauthorized');
      expectProblem(
        await sut.http.post('/v1/auth/refresh').send({ refreshToken: member.refreshToken }),
        401,
        'invalid_refresh_token',
      );
      expectProblem(
        await sut.http
          .post('/v1/auth/login')
          .set('X-Forwarded-For', randomIp())
          .send({ email: member.email, password: PASSWORD }),
        401,
        'invalid_credentials',
      );
      expect(Object.keys(await rolesOf(owner))).toEqual([owner.userId]);
    });

    it.each<Role>(['admin', 'member', 'viewer'])('refuses a %s (403)', async (role) => {
      const owner = await signUpOwner(sut.http);
      const caller = await addMember(sut.http, owner, role);
      const target = await addMember(sut.http, owner, 'viewer');

      expectProblem(await removeMember(caller, target.userId), 403, 'insufficient_role');
      expectProblem(await removeMember(caller, owner.userId), 403, 'insufficient_role');

      await me(target).expect(200);
    });

    it('refuses to remove the last owner (409 last_owner)', async () => {
      const owner = await signUpOwner(sut.http);

      expectProblem(await removeMember(owner, owner.userId), 409, 'last_owner');

      await me(owner).expect(200);
    });

    it('lets an owner leave when another owner remains', async () => {
      const { first, second } = await twoOwners();

      await removeMember(first, first.userId).expect(204);

      expectProblem(await me(first), 401, 'unauthorized');
      expect(await rolesOf(second)).toEqual({ [second.userId]: 'owner' });
    });

    it('answers 404 for another organization’s member, who stays', async () => {
      const owner = await signUpOwner(sut.http);
      const stranger = await signUpOwner(sut.http);
      const strangersMember = await addMember(sut.http, stranger, 'viewer');

      expectProblem(await removeMember(owner, strangersMember.userId), 404, 'member_not_found');

      await me(strangersMember).expect(200);
    });

    it('refuses an id that is not a UUID (400)', async () => {
      const owner = await signUpOwner(sut.http);

      const response = await removeMember(owner, '12345');

      expectProblem(response, 400, 'validation_failed');
      expect(fieldsOf(response.body)).toEqual(['id']);
    });
  });
});
