import type { Role } from '../../src/common/auth/roles.js';
import {
  type Account,
  addMember,
  expectProblem,
  PASSWORD,
  signUpOwner,
  uniqueEmail,
} from '../support/factories.js';
import { randomIp, startTestApp, type TestApp } from '../support/test-app.js';

const SEVEN_DAYS_MS = 7 * 24 * 3600 * 1000;
const fieldsOf = (body: { errors?: { field: string }[] }) => (body.errors ?? []).map((error) => error.field);

interface CreatedInvitation {
  id: string;
  email: string;
  role: Role;
  token: string;
  expiresAt: string;
  createdAt: string;
}

describe('invitations', () => {
  let sut: TestApp;
  beforeAll(async () => {
    sut = await startTestApp();
  });
  afterAll(() => sut.close());

  const invite = (owner: Account, body: object) =>
    sut.http.post('/v1/invitations').set('Authorization', owner.bearer).send(body);
  const createInvitation = async (owner: Account, role: Role = 'member', email = uniqueEmail('invitee')) =>
    (await invite(owner, { email, role }).expect(201)).body as CreatedInvitation;
  const listInvitations = (owner: Account) =>
    sut.http.get('/v1/invitations').set('Authorization', owner.bearer);
  const revoke = (owner: Account, id: string) =>
    sut.http.delete(`/v1/invitations/${id}`).set('Authorization', owner.bearer);
  const signUpWith = (token: string, email: string) =>
    sut.http
      .post('/v1/auth/signup')
      .set('X-Forwarded-For', randomIp())
      .send({ email, password: PASSWORD, name: 'Grace Invitee', inviteToken: token });

  describe('POST /v1/invitations', () => {
    it('lets the owner invite: 201 with a one-time token that expires in 7 days', async () => {
      const owner = await signUpOwner(sut.http);
      const email = uniqueEmail('grace');

      const response = await invite(owner, { email, role: 'admin' }).expect(201);

      expect(response.body).toEqual({
        id: expect.any(String),
        email,
        role: 'admin',
        token: expect.stringMatching(/^inv_/),
        expiresAt: expect.any(String),
        createdAt: expect.any(String),
      });
      const expiresInMs = Date.parse(response.body.expiresAt) - Date.now();
      expect(Math.abs(expiresInMs - SEVEN_DAYS_MS)).toBeLessThan(60_000);
    });

    it.each<Role>(['admin', 'member', 'viewer'])('refuses a %s (403)', async (role) => {
      const owner = await signUpOwner(sut.http);
      const caller = await addMember(sut.http, owner, role);

      expectProblem(await invite(caller, { email: uniqueEmail(), role: 'viewer' }), 403, 'insufficient_role');
    });

    it('refuses an email that already has an account, in any organization and any case (409)', async () => {
      const owner = await signUpOwner(sut.http);
      const elsewhere = await signUpOwner(sut.http);

      expectProblem(await invite(owner, { email: owner.email, role: 'admin' }), 409, 'email_taken');
      expectProblem(
        await invite(owner, { email: elsewhere.email.toUpperCase(), role: 'admin' }),
        409,
        'email_taken',
      );
    });

    it.each([
      ['email', { role: 'member' }],
      ['email', { email: 'not-an-email', role: 'member' }],
      ['role', { email: 'grace@example.test' }],
      ['role', { email: 'grace@example.test', role: 'superuser' }],
      ['organizationId', { email: 'grace@example.test', role: 'member', organizationId: 'x' }],
    ])('refuses a bad %s (400): %j', async (field, body) => {
      const owner = await signUpOwner(sut.http);

      const response = await invite(owner, body);

      expectProblem(response, 400, 'validation_failed');
      expect(fieldsOf(response.body)).toContain(field);
    });

    it('replaces a pending invitation for the same email: only the newest token works', async () => {
      const owner = await signUpOwner(sut.http);
      const email = uniqueEmail('twice');
      const first = await createInvitation(owner, 'viewer', email);
      const second = await createInvitation(owner, 'admin', email);

      expectProblem(await signUpWith(first.token, email), 400, 'invalid_invitation');
      const joined = await signUpWith(second.token, email).expect(201);
      expect(joined.body.user.role).toBe('admin');
    });
  });

  describe('signing up with an invitation', () => {
    it.each<Role>(['viewer', 'member', 'admin', 'owner'])(
      'joins the inviting organization as %s',
      async (role) => {
        const owner = await signUpOwner(sut.http, 'Inviting Org');
        const invitation = await createInvitation(owner, role);

        const joined = await signUpWith(invitation.token, invitation.email).expect(201);

        expect(joined.body.user).toMatchObject({ email: invitation.email, role });
        expect(joined.body.organization).toMatchObject({ id: owner.organizationId, name: 'Inviting Org' });
        const organization = await sut.http
          .get('/v1/organization')
          .set('Authorization', `Bearer ${joined.body.accessToken}`)
          .expect(200);
        expect(organization.body.id).toBe(owner.organizationId);
      },
    );

    it('accepts the invited email in another case', async () => {
      const owner = await signUpOwner(sut.http);
      const invitation = await createInvitation(owner, 'member', uniqueEmail('Grace.Hopper'));

      await signUpWith(invitation.token, invitation.email.toUpperCase()).expect(201);
    });

    it('works once: a second signup with the token is refused', async () => {
      const owner = await signUpOwner(sut.http);
      const invitation = await createInvitation(owner);
      await signUpWith(invitation.token, invitation.email).expect(201);

      expectProblem(await signUpWith(invitation.token, invitation.email), 400, 'invalid_invitation');
      expectProblem(await signUpWith(invitation.token, uniqueEmail('second')), 400, 'invalid_invitation');
    });

    it('refuses another email than the invited one, without spending the invitation', async () => {
      const owner = await signUpOwner(sut.http);
      const invitation = await createInvitation(owner);

      expectProblem(await signUpWith(invitation.token, uniqueEmail('intruder')), 400, 'invalid_invitation');

      await signUpWith(invitation.token, invitation.email).expect(201);
    });

    it('refuses an expired invitation', async () => {
      const owner = await signUpOwner(sut.http);
      const invitation = await createInvitation(owner);
      await sut.db.query(`UPDATE invitations SET expires_at = now() - interval '1 second' WHERE id = $1`, [
        invitation.id,
      ]);

      expectProblem(await signUpWith(invitation.token, invitation.email), 400, 'invalid_invitation');
    });

    it('refuses a revoked invitation', async () => {
      const owner = await signUpOwner(sut.http);
      const invitation = await createInvitation(owner);
      await revoke(owner, invitation.id).expect(204);

      expectProblem(await signUpWith(invitation.token, invitation.email), 400, 'invalid_invitation');
    });

    it('refuses a token that was never issued', async () => {
      expectProblem(await signUpWith('inv_made_up', uniqueEmail()), 400, 'invalid_invitation');
    });
  });

  describe('GET /v1/invitations', () => {
    it('lists only pending invitations, newest first, and never their tokens', async () => {
      const owner = await signUpOwner(sut.http);
      const accepted = await createInvitation(owner);
      await signUpWith(accepted.token, accepted.email).expect(201);
      const revoked = await createInvitation(owner);
      await revoke(owner, revoked.id).expect(204);
      const expired = await createInvitation(owner);
      await sut.db.query(`UPDATE invitations SET expires_at = now() - interval '1 second' WHERE id = $1`, [
        expired.id,
      ]);
      const older = await createInvitation(owner, 'viewer');
      const newer = await createInvitation(owner, 'admin');

      const response = await listInvitations(owner).expect(200);

      expect(response.body).toEqual({
        data: [
          {
            id: newer.id,
            email: newer.email,
            role: 'admin',
            expiresAt: newer.expiresAt,
            createdAt: newer.createdAt,
          },
          {
            id: older.id,
            email: older.email,
            role: 'viewer',
            expiresAt: older.expiresAt,
            createdAt: older.createdAt,
          },
        ],
        nextCursor: null,
      });
      expect(response.text).not.toContain(newer.token);
      expect(response.text).not.toContain(older.token);
    });

    it('pages with limit and cursor', async () => {
      const owner = await signUpOwner(sut.http);
      const invitations = [
        await createInvitation(owner),
        await createInvitation(owner),
        await createInvitation(owner),
      ];

      const first = await listInvitations(owner).query({ limit: 2 }).expect(200);
      const second = await listInvitations(owner)
        .query({ limit: 2, cursor: first.body.nextCursor })
        .expect(200);

      const ids = (page: { body: { data: { id: string }[] } }) => page.body.data.map((item) => item.id);
      expect(ids(first)).toEqual([invitations[2].id, invitations[1].id]);
      expect(ids(second)).toEqual([invitations[0].id]);
      expect(second.body.nextCursor).toBeNull();
    });

    it('never shows another organization’s invitations', async () => {
      const owner = await signUpOwner(sut.http);
      await createInvitation(owner);
      const stranger = await signUpOwner(sut.http);

      expect((await listInvitations(stranger).expect(200)).body).toEqual({ data: [], nextCursor: null });
    });

    it.each<Role>(['admin', 'member', 'viewer'])('refuses a %s (403)', async (role) => {
      const owner = await signUpOwner(sut.http);
      const caller = await addMember(sut.http, owner, role);

      expectProblem(await listInvitations(caller), 403, 'insufficient_role');
    });
  });

  describe('DELETE /v1/invitations/:id', () => {
    it('revokes a pending invitation once; it then leaves the list', async () => {
      const owner = await signUpOwner(sut.http);
      const invitation = await createInvitation(owner);

      await revoke(owner, invitation.id).expect(204);

      expect((await listInvitations(owner).expect(200)).body.data).toEqual([]);
      expectProblem(await revoke(owner, invitation.id), 404, 'invitation_not_found');
    });

    it('answers 404 for another organization’s invitation, which keeps working', async () => {
      const owner = await signUpOwner(sut.http);
      const invitation = await createInvitation(owner);
      const stranger = await signUpOwner(sut.http);

      expectProblem(await revoke(stranger, invitation.id), 404, 'invitation_not_found');

      await signUpWith(invitation.token, invitation.email).expect(201);
    });

    it('answers 404 for an invitation already accepted', async () => {
      const owner = await signUpOwner(sut.http);
      const invitation = await createInvitation(owner);
      await signUpWith(invitation.token, invitation.email).expect(201);

      expectProblem(await revoke(owner, invitation.id), 404, 'invitation_not_found');
    });

    it('refuses an id that is not a UUID (400)', async () => {
      const owner = await signUpOwner(sut.http);

      const response = await revoke(owner, 'not-a-uuid');

      expectProblem(response, 400, 'validation_failed');
      expect(fieldsOf(response.body)).toEqual(['id']);
    });

    it.each<Role>(['admin', 'member', 'viewer'])('refuses a %s (403)', async (role) => {
      const owner = await signUpOwner(sut.http);
      const invitation = await createInvitation(owner);
      const caller = await addMember(sut.http, owner, role);

      expectProblem(await revoke(caller, invitation.id), 403, 'insufficient_role');

      await signUpWith(invitation.token, invitation.email).expect(201);
    });
  });
});
