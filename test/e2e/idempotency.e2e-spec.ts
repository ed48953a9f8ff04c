import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import {
  type Account,
  createCustomer,
  expectProblem,
  openInvoice,
  PASSWORD,
  signUpOwner,
  uniqueEmail,
} from '../support/factories.js';
import { randomIp, startTestApp, type TestApp } from '../support/test-app.js';

const UNKNOWN_ID = '0190a3c1-0000-7000-8000-000000000000';

describe('Idempotency-Key', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp();
  });
  afterAll(() => sut.close());

  const newKey = () => `key-${randomUUID()}`;
  const customerBody = () => ({ name: 'Globex', email: uniqueEmail('ap') });

  /** A POST as `account`, with `key` as its Idempotency-Key. */
  function post(account: Account, path: string, key: string, body?: object) {
    const request = sut.http.post(path).set('Authorization', account.bearer).set('Idempotency-Key', key);
    return body === undefined ? request : request.send(body);
  }

  async function rowCounts(organizationId: string) {
    const { rows } = await sut.db.query<{ customers: number; events: number; keys: number }>(
      `SELECT (SELECT count(*) FROM customers WHERE organization_id = $1)::int AS customers,
              (SELECT count(*) FROM events WHERE organization_id = $1)::int AS events,
              (SELECT count(*) FROM idempotency_keys WHERE scope = $1)::int AS keys`,
      [organizationId],
    );
    return rows[0];
  }

  const replayed = (response: Response) => response.headers['idempotent-replayed'];

  describe('a retry with the same key and body', () => {
    it('replays the 201 and its body with Idempotent-Replayed: true; one customer, one event', async () => {
      const owner = await signUpOwner(sut.http);
      const key = newKey();
      const body = customerBody();

      const first = await post(owner, '/v1/customers', key, body).expect(201);
      const retry = await post(owner, '/v1/customers', key, body);

      expect(replayed(first)).toBeUndefined();
      expect({ status: retry.status, body: retry.body, replayed: replayed(retry) }).toEqual({
        status: 201,
        body: first.body,
        replayed: 'true',
      });
      expect(await rowCounts(owner.organizationId)).toEqual({ customers: 1, events: 1, keys: 1 });
    });

    it('replays the same body with its keys in another order', async () => {
      const owner = await signUpOwner(sut.http);
      const key = newKey();
      const { name, email } = customerBody();

      const first = await post(owner, '/v1/customers', key, { name, email }).expect(201);
      const retry = await post(owner, '/v1/customers', key, { email, name }).expect(201);

      expect(replayed(retry)).toBe('true');
      expect(retry.body).toEqual(first.body);
    });

    it('replays an archive with its 200 and writes one customer.updated event', async () => {
      const owner = await signUpOwner(sut.http);
      const customer = await createCustomer(sut.http, owner);
      const key = newKey();

      const first = await post(owner, `/v1/customers/${customer.id}/archive`, key).expect(200);
      const retry = await post(owner, `/v1/customers/${customer.id}/archive`, key);

      expect({ status: retry.status, body: retry.body, replayed: replayed(retry) }).toEqual({
        status: 200,
        body: first.body,
        replayed: 'true',
      });
      const { rows } = await sut.db.query(`SELECT type FROM events WHERE data->>'id' = $1 ORDER BY id`, [
        customer.id,
      ]);
      expect(rows.map((row) => row.type)).toEqual(['customer.created', 'customer.updated']);
    });
  });

  describe('the same key with another request', () => {
    it('answers 422 idempotency_key_reused for another body and creates nothing', async () => {
      const owner = await signUpOwner(sut.http);
      const key = newKey();
      await post(owner, '/v1/customers', key, customerBody()).expect(201);

      const response = await post(owner, '/v1/customers', key, customerBody());

      expectProblem(response, 422, 'idempotency_key_reused');
      expect(await rowCounts(owner.organizationId)).toEqual({ customers: 1, events: 1, keys: 1 });
    });

    it('answers 422 idempotency_key_reused for the same route on another customer', async () => {
      const owner = await signUpOwner(sut.http);
      const [first, second] = [await createCustomer(sut.http, owner), await createCustomer(sut.http, owner)];
      const key = newKey();
      await post(owner, `/v1/customers/${first.id}/archive`, key).expect(200);

      const response = await post(owner, `/v1/customers/${second.id}/archive`, key);

      expectProblem(response, 422, 'idempotency_key_reused');
      const unarchived = await sut.http
        .get(`/v1/customers/${second.id}`)
        .set('Authorization', owner.bearer)
        .expect(200);
      expect(unarchived.body.archived).toBe(false);
    });
  });

  it('keeps keys apart per organization: the same key and body run in each', async () => {
    const [acme, globex] = [await signUpOwner(sut.http), await signUpOwner(sut.http)];
    const key = newKey();
    const body = customerBody();

    const inAcme = await post(acme, '/v1/customers', key, body).expect(201);
    const inGlobex = await post(globex, '/v1/customers', key, body).expect(201);

    expect(replayed(inGlobex)).toBeUndefined();
    expect(inGlobex.body.id).not.toBe(inAcme.body.id);
    expect(await rowCounts(globex.organizationId)).toEqual({ customers: 1, events: 1, keys: 1 });
  });

  describe('a request that fails', () => {
    it('stores nothing on a handler error, so the retry runs again', async () => {
      const owner = await signUpOwner(sut.http);
      const key = newKey();

      expectProblem(await post(owner, `/v1/customers/${UNKNOWN_ID}/archive`, key), 404, 'customer_not_found');
      const retry = await post(owner, `/v1/customers/${UNKNOWN_ID}/archive`, key);

      expectProblem(retry, 404, 'customer_not_found');
      expect(replayed(retry)).toBeUndefined();
      expect(await rowCounts(owner.organizationId)).toEqual({ customers: 0, events: 0, keys: 0 });
    });

    it('stores nothing on a validation error, so the corrected request may take the key', async () => {
      const owner = await signUpOwner(sut.http);
      const key = newKey();

      expectProblem(await post(owner, '/v1/customers', key, { name: 'Globex' }), 400, 'validation_failed');
      const corrected = await post(owner, '/v1/customers', key, customerBody());

      expect({ status: corrected.status, replayed: replayed(corrected) }).toEqual({
        status: 201,
        replayed: undefined,
      });
      expect(await rowCounts(owner.organizationId)).toEqual({ customers: 1, events: 1, keys: 1 });
    });
  });

  it('writes every event of the request with its stored answer, in the order recorded, once', async () => {
    const owner = await signUpOwner(sut.http);
    const invoice = await openInvoice(sut.http, owner);
    const key = newKey();
    const payment = { invoiceId: invoice.id, amount: invoice.amountDue, method: 'bank_transfer' };

    const first = await post(owner, '/v1/payments', key, payment).expect(201);
    await post(owner, '/v1/payments', key, payment).expect(201);

    const { rows } = await sut.db.query(
      `SELECT type, data->>'id' AS subject, request_id IS NOT NULL AS traced FROM events
        WHERE organization_id = $1 AND type IN ('payment.succeeded', 'invoice.paid') ORDER BY events.id`,
      [owner.organizationId],
    );
    expect(rows).toEqual([
      { type: 'payment.succeeded', subject: first.body.id, traced: true },
      { type: 'invoice.paid', subject: invoice.id, traced: true },
    ]);
  });

  it('commits the change with its stored answer: when storing fails, the customer is rolled back', async () => {
    const owner = await signUpOwner(sut.http);
    const key = newKey();
    // A trigger refusing this one key makes the store fail after the handler has written its customer.
    const refuse = `refuse_${randomUUID().replace(/-/g, '')}`;
    await sut.db.query(`CREATE FUNCTION ${refuse}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.key = '${key}' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$`);
    await sut.db.query(
      `CREATE TRIGGER ${refuse} BEFORE INSERT ON idempotency_keys FOR EACH ROW EXECUTE FUNCTION ${refuse}()`,
    );
    try {
      const response = await post(owner, '/v1/customers', key, customerBody());

      expectProblem(response, 500, 'internal_error');
      expect(await rowCounts(owner.organizationId)).toEqual({ customers: 0, events: 0, keys: 0 });
    } finally {
      await sut.db.query(`DROP TRIGGER ${refuse} ON idempotency_keys`);
      await sut.db.query(`DROP FUNCTION ${refuse}()`);
    }
  });

  it('runs again once the key is older than 24 hours, and keeps the new answer', async () => {
    const owner = await signUpOwner(sut.http);
    const key = newKey();
    const body = customerBody();
    const first = await post(owner, '/v1/customers', key, body).expect(201);
    await sut.db.query(
      `UPDATE idempotency_keys SET created_at = created_at - interval '25 hours' WHERE scope = $1`,
      [owner.organizationId],
    );

    const again = await post(owner, '/v1/customers', key, body).expect(201);
    const replay = await post(owner, '/v1/customers', key, body).expect(201);

    expect(replayed(again)).toBeUndefined();
    expect(again.body.id).not.toBe(first.body.id);
    expect(replay.body).toEqual(again.body);
    expect(await rowCounts(owner.organizationId)).toEqual({ customers: 2, events: 2, keys: 1 });
  });

  describe('an invalid key', () => {
    it.each([
      ['empty', ''],
      ['256 characters long', 'k'.repeat(256)],
      ['not ASCII', 'caf\u00e9'],
      ['holding a tab', 'tab\there'],
    ])('answers 400 validation_failed naming the header when %s', async (_case, key) => {
      const owner = await signUpOwner(sut.http);

      const response = await post(owner, '/v1/customers', key, customerBody());

      expectProblem(response, 400, 'validation_failed');
      expect(response.body.errors).toEqual([{ field: 'Idempotency-Key', message: expect.any(String) }]);
      expect(await rowCounts(owner.organizationId)).toEqual({ customers: 0, events: 0, keys: 0 });
    });

    it('accepts 255 printable characters', async () => {
      const owner = await signUpOwner(sut.http);
      await post(owner, '/v1/customers', `${'k'.repeat(250)} ~!@#`, customerBody()).expect(201);
    });
  });

  describe('@NotIdempotent routes ignore the header', () => {
    it('signs up twice with one key and two emails', async () => {
      const key = newKey();
      const signup = (email: string) =>
        sut.http
          .post('/v1/auth/signup')
          .set('X-Forwarded-For', randomIp())
          .set('Idempotency-Key', key)
          .send({ email, password: PASSWORD, name: 'Ada', organizationName: 'Acme' });

      const [first, second] = [await signup(uniqueEmail()), await signup(uniqueEmail())];

      expect([first.status, second.status]).toEqual([201, 201]);
      expect(second.body.user.id).not.toBe(first.body.user.id);
    });

    it('creates two invitations with one key, storing no token', async () => {
      const owner = await signUpOwner(sut.http);
      const key = newKey();
      const invite = () => post(owner, '/v1/invitations', key, { email: uniqueEmail(), role: 'member' });

      const [first, second] = [await invite(), await invite()];

      expect([first.status, second.status]).toEqual([201, 201]);
      expect(second.body.token).not.toBe(first.body.token);
      expect((await rowCounts(owner.organizationId)).keys).toBe(0);
    });
  });

  describe('in OpenAPI', () => {
    let paths: Record<string, { post?: { parameters?: { name: string; in: string }[] } }>;
    beforeAll(async () => {
      paths = (await sut.http.get('/docs-json').expect(200)).body.paths;
    });

    const takesKey = (path: string) =>
      (paths[path].post?.parameters ?? []).some(
        (parameter) => parameter.name === 'Idempotency-Key' && parameter.in === 'header',
      );

    it('documents the header on every POST but the @NotIdempotent ones', () => {
      const posts = Object.keys(paths).filter((path) => paths[path].post);
      const without = posts.filter((path) => !takesKey(path));

      expect(without.sort()).toEqual(
        [
          '/v1/auth/login',
          '/v1/auth/logout',
          '/v1/auth/refresh',
          '/v1/auth/signup',
          '/v1/invitations',
          '/v1/integrations/stripe/webhook',
          '/v1/webhook-endpoints',
          '/v1/webhook-endpoints/{id}/rotate-secret',
        ].sort(),
      );
      expect(posts).toEqual(expect.arrayContaining(['/v1/customers', '/v1/customers/{id}/archive']));
    });
  });
});
