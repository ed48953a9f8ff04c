import { randomUUID } from 'node:crypto';
import {
  type Account,
  addMember,
  expectProblem,
  PASSWORD,
  signUpOwner,
  uniqueEmail,
} from '../support/factories.js';
import { claimsOf, forge, FORGED_TOKENS, ONE_MINUTE } from '../support/forged-tokens.js';
import { randomIp, startTestApp, type TestApp } from '../support/test-app.js';

const fieldsOf = (body: { errors?: { field: string }[] }) => (body.errors ?? []).map((error) => error.field);

describe('auth', () => {
  let sut: TestApp;
  beforeAll(async () => {
    sut = await startTestApp();
  });
  afterAll(() => sut.close());

  const signup = (body: object, ip = randomIp()) =>
    sut.http.post('/v1/auth/signup').set('X-Forwarded-For', ip).send(body);
  const login = (body: object, ip = randomIp()) =>
    sut.http.post('/v1/auth/login').set('X-Forwarded-For', ip).send(body);
  const refresh = (refreshToken: unknown) => sut.http.post('/v1/auth/refresh').send({ refreshToken });
  const me = (accessToken: string) =>
    sut.http.get('/v1/auth/me').set('Authorization', `Bearer ${accessToken}`);
  const newSignup = (fields: object = {}) => ({
    email: uniqueEmail('ada'),
    password: PASSWORD,
    name: 'Ada Lovelace',
    organizationName: 'Analytical Engines',
    ...fields,
  });

  describe('POST /v1/auth/signup', () => {
    it('creates a user who owns a new organization and answers with a working token pair', async () => {
      const body = newSignup();

      const response = await signup(body).expect(201);

      expect(response.body).toEqual({
        accessToken: expect.any(String),
        refreshToken: expect.stringMatching(/^rt_/),
        expiresIn: 900,
        user: {
          id: expect.any(String),
          email: body.email,
          name: 'Ada Lovelace',
          role: 'owner',
          createdAt: expect.any(String),
        },
        organization: expect.objectContaining({
          id: expect.any(String),
          name: 'Analytical Engines',
          defaultCurrency: 'USD',
          invoiceNumberPrefix: 'INV-',
          pdfPageSize: 'A4',
        }),
      });
      const identity = await me(response.body.accessToken).expect(200);
      expect(identity.body.user.id).toBe(response.body.user.id);
      expect(identity.body.organization.id).toBe(response.body.organization.id);
    });

    it('treats emails case-insensitively: stores them lower-case and refuses the same one in another case', async () => {
      const email = uniqueEmail('Mixed.Case');
      const first = await signup(newSignup({ email: email.toUpperCase() })).expect(201);
      expect(first.body.user.email).toBe(email.toLowerCase());

      const again = await signup(newSignup({ email: email.toLowerCase() }));

      expectProblem(again, 409, 'email_taken');
    });

    it.each(['email', 'password', 'name'])('refuses a signup without %s', async (field) => {
      const body: Record<string, unknown> = newSignup();
      delete body[field];

      const response = await signup(body);

      expectProblem(response, 400, 'validation_failed');
      expect(fieldsOf(response.body)).toContain(field);
    });

    it.each([
      ['email', 42],
      ['email', 'not-an-email'],
      ['password', 12345678901],
      ['name', true],
      ['name', ''],
      ['organizationName', ['Acme']],
    ])('refuses %s = %j', async (field, value) => {
      const response = await signup(newSignup({ [field]: value }));

      expectProblem(response, 400, 'validation_failed');
      expect(fieldsOf(response.body)).toContain(field);
    });

    it('refuses unknown fields such as role', async () => {
      const response = await signup(newSignup({ role: 'owner' }));

      expectProblem(response, 400, 'validation_failed');
      expect(fieldsOf(response.body)).toEqual(['role']);
    });

    it('refuses a password shorter than 10 characters', async () => {
      const response = await signup(newSignup({ password: 'short-pw1' }));

      expectProblem(response, 400, 'validation_failed');
      expect(fieldsOf(response.body)).toEqual(['password']);
    });

    it('refuses organizationName and inviteToken together', async () => {
      const response = await signup(newSignup({ inviteToken: 'inv_whatever' }));

      expectProblem(response, 400, 'validation_failed');
      expect(fieldsOf(response.body)).toContain('organizationName');
    });

    it('refuses a signup with neither organizationName nor inviteToken', async () => {
      const response = await signup(newSignup({ organizationName: undefined }));

      expectProblem(response, 400, 'validation_failed');
      expect(fieldsOf(response.body)).toContain('organizationName');
    });

    it('answers malformed JSON with 400 malformed_json, not a 500', async () => {
      const response = await sut.http
        .post('/v1/auth/signup')
        .set('X-Forwarded-For', randomIp())
        .set('Content-Type', 'application/json')
        .send('{"email": ');

      expectProblem(response, 400, 'malformed_json');
    });

    it('limits signups to 20 a minute per IP address', async () => {
      const ip = randomIp();
      // Both organizationName and inviteToken: counted by the limiter, refused before any hashing.
      for (let attempt = 0; attempt < 20; attempt++) {
        expectProblem(await signup(newSignup({ inviteToken: 'inv_x' }), ip), 400, 'validation_failed');
      }

      const limited = await signup(newSignup(), ip);

      expectProblem(limited, 429, 'rate_limited');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      await signup(newSignup(), randomIp()).expect(201);
    });
  });

  describe('POST /v1/auth/login', () => {
    it('starts a new session for the right password, whatever the case of the email', async () => {
      const owner = await signUpOwner(sut.http);

      const response = await login({ email: owner.email.toUpperCase(), password: PASSWORD }).expect(200);

      expect(response.body).toEqual({
        accessToken: expect.any(String),
        refreshToken: expect.stringMatching(/^rt_/),
        expiresIn: 900,
        user: expect.objectContaining({ id: owner.userId, email: owner.email, role: 'owner' }),
        organization: expect.objectContaining({ id: owner.organizationId }),
      });
      expect(claimsOf({ accessToken: response.body.accessToken } as Account).sid).not.toBe(
        claimsOf(owner).sid,
      );
      await me(response.body.accessToken).expect(200);
    });

    it('answers an unknown email and a wrong password with byte-identical problems', async () => {
      const owner = await signUpOwner(sut.http);

      const wrongPassword = await login({ email: owner.email, password: 'not the password' });
      const unknownEmail = await login({ email: uniqueEmail('nobody'), password: 'not the password' });

      expectProblem(wrongPassword, 401, 'invalid_credentials');
      expectProblem(unknownEmail, 401, 'invalid_credentials');
      expect(unknownEmail.text).toBe(wrongPassword.text);
    });

    it.each([
      ['email', { password: PASSWORD }],
      ['password', { email: 'a@example.test' }],
      ['email', { email: 42, password: PASSWORD }],
      ['password', { email: 'a@example.test', password: { $ne: '' } }],
    ])('refuses a body with a missing or wrong-typed %s', async (field, body) => {
      const response = await login(body);

      expectProblem(response, 400, 'validation_failed');
      expect(fieldsOf(response.body)).toContain(field);
    });

    it('allows 10 attempts per email in 15 minutes, then 429 with Retry-After even from other IPs', async () => {
      const owner = await signUpOwner(sut.http);
      for (let attempt = 0; attempt < 10; attempt++) {
        expectProblem(
          await login({ email: owner.email, password: 'wrong guess' }),
          401,
          'invalid_credentials',
        );
      }

      const limited = await login({ email: owner.email.toUpperCase(), password: PASSWORD });

      expectProblem(limited, 429, 'rate_limited');
      const retryAfter = Number(limited.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(15 * ONE_MINUTE);
    });

    it('allows 30 attempts per IP a minute, then 429 whatever the email', async () => {
      const ip = randomIp();
      for (let attempt = 0; attempt < 30; attempt++) {
        expectProblem(
          await login({ email: uniqueEmail('guess'), password: 'wrong guess' }, ip),
          401,
          'invalid_credentials',
        );
      }
      const owner = await signUpOwner(sut.http);

      const limited = await login({ email: owner.email, password: PASSWORD }, ip);

      expectProblem(limited, 429, 'rate_limited');
      const retryAfter = Number(limited.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(ONE_MINUTE);
      await login({ email: owner.email, password: PASSWORD }, randomIp()).expect(200);
    });
  });

  describe('POST /v1/auth/refresh', () => {
    it('rotates: the new pair works and the new refresh token works exactly once', async () => {
      const owner = await signUpOwner(sut.http);

      const rotated = await refresh(owner.refreshToken).expect(200);

      expect(rotated.body).toEqual(
        expect.objectContaining({
          accessToken: expect.any(String),
          refreshToken: expect.stringMatching(/^rt_/),
          expiresIn: 900,
          user: expect.objectContaining({ id: owner.userId }),
          organization: expect.objectContaining({ id: owner.organizationId }),
        }),
      );
      expect(rotated.body.refreshToken).not.toBe(owner.refreshToken);
      await me(rotated.body.accessToken).expect(200);
      await refresh(rotated.body.refreshToken).expect(200);
      expectProblem(await refresh(rotated.body.refreshToken), 401, 'invalid_refresh_token');
    });

    it('refuses a refresh token once it has been rotated', async () => {
      const owner = await signUpOwner(sut.http);
      await refresh(owner.refreshToken).expect(200);

      expectProblem(await refresh(owner.refreshToken), 401, 'invalid_refresh_token');
    });

    it('revokes the whole session when a spent refresh token is presented again', async () => {
      const owner = await signUpOwner(sut.http);
      const rotated = await refresh(owner.refreshToken).expect(200);
      await me(rotated.body.accessToken).expect(200);

      expectProblem(await refresh(owner.refreshToken), 401, 'invalid_refresh_token');

      expectProblem(await refresh(rotated.body.refreshToken), 401, 'invalid_refresh_token');
      expectProblem(await me(rotated.body.accessToken), 401, 'unauthorized');
      expectProblem(await me(owner.accessToken), 401, 'unauthorized');
    });

    it('leaves the same user’s other sessions alone when one session is revoked for reuse', async () => {
      const owner = await signUpOwner(sut.http);
      const other = (await login({ email: owner.email, password: PASSWORD }).expect(200)).body;
      await refresh(owner.refreshToken).expect(200);

      expectProblem(await refresh(owner.refreshToken), 401, 'invalid_refresh_token');

      await me(other.accessToken).expect(200);
      await refresh(other.refreshToken).expect(200);
    });

    it.each(['rt_garbage', 'x'.repeat(200), `rt_${randomUUID()}`])(
      'refuses an unknown refresh token (%s)',
      async (token) => {
        expectProblem(await refresh(token), 401, 'invalid_refresh_token');
      },
    );

    it.each([[42], [null], [['rt_a']], [{}], [''], [undefined]])(
      'refuses refreshToken = %j with 400',
      async (token) => {
        const response = await refresh(token);

        expectProblem(response, 400, 'validation_failed');
        expect(fieldsOf(response.body)).toContain('refreshToken');
      },
    );
  });

  describe('POST /v1/auth/logout', () => {
    it('ends the session: its access and refresh tokens are refused at once', async () => {
      const owner = await signUpOwner(sut.http);

      await sut.http.post('/v1/auth/logout').set('Authorization', owner.bearer).expect(204);

      expectProblem(await me(owner.accessToken), 401, 'unauthorized');
      expectProblem(await refresh(owner.refreshToken), 401, 'invalid_refresh_token');
      expectProblem(
        await sut.http.post('/v1/auth/logout').set('Authorization', owner.bearer),
        401,
        'unauthorized',
      );
    });

    it('leaves the user’s other sessions working', async () => {
      const owner = await signUpOwner(sut.http);
      const other = (await login({ email: owner.email, password: PASSWORD }).expect(200)).body;

      await sut.http.post('/v1/auth/logout').set('Authorization', owner.bearer).expect(204);

      await me(other.accessToken).expect(200);
      await refresh(other.refreshToken).expect(200);
    });

    it('needs an access token', async () => {
      expectProblem(await sut.http.post('/v1/auth/logout'), 401, 'unauthorized');
    });
  });

  describe('GET /v1/auth/me', () => {
    it('answers the caller and their organization, without secrets', async () => {
      const owner = await signUpOwner(sut.http, 'Me Corp');

      const response = await me(owner.accessToken).expect(200);

      expect(response.body).toEqual({
        user: {
          id: owner.userId,
          email: owner.email,
          name: 'Olive Owner',
          role: 'owner',
          createdAt: expect.any(String),
        },
        organization: {
          id: owner.organizationId,
          name: 'Me Corp',
          legalName: null,
          email: null,
          taxId: null,
          address: null,
          defaultCurrency: 'USD',
          invoiceNumberPrefix: 'INV-',
          pdfPageSize: 'A4',
          createdAt: expect.any(String),
          updatedAt: expect.any(String),
        },
      });
    });

    it('needs a token', async () => {
      expectProblem(await sut.http.get('/v1/auth/me'), 401, 'unauthorized');
    });

    it('refuses a token that is not a JWT, or not sent as a bearer token', async () => {
      const owner = await signUpOwner(sut.http);

      expectProblem(await me('not.a.jwt'), 401, 'unauthorized');
      expectProblem(
        await sut.http.get('/v1/auth/me').set('Authorization', owner.accessToken),
        401,
        'unauthorized',
      );
    });

    // Proves forge() makes tokens the server accepts, so each refusal below is down to its one difference.
    it('accepts a token signed exactly as the server signs them', async () => {
      const owner = await signUpOwner(sut.http);

      await me(forge(claimsOf(owner), { expiresIn: ONE_MINUTE })).expect(200);
    });

    it.each(FORGED_TOKENS)('refuses a token with %s (401 unauthorized)', async (_, makeToken) => {
      const owner = await signUpOwner(sut.http);
      const victim = await signUpOwner(sut.http);

      expectProblem(await me(makeToken(owner, victim)), 401, 'unauthorized');
    });

    it('refuses the token of a member who has been removed', async () => {
      const owner = await signUpOwner(sut.http);
      const member = await addMember(sut.http, owner, 'member');
      await me(member.accessToken).expect(200);

      await sut.http.delete(`/v1/members/${member.userId}`).set('Authorization', owner.bearer).expect(204);

      expectProblem(await me(member.accessToken), 401, 'unauthorized');
      expectProblem(await me(forge(claimsOf(member), { expiresIn: ONE_MINUTE })), 401, 'unauthorized');
    });
  });
});
