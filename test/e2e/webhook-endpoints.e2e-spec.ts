import { Webhook } from 'standardwebhooks';
import { type Account, actingAs, addMember, expectProblem, signUpOwner } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { Receiver } from '../support/webhook-receiver.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const SECRET = /^whsec_[A-Za-z0-9+/]{43}=$/;
const DAY_MS = 24 * 60 * 60 * 1000;
/** A public address, written as a literal and never connected to: registration only resolves hosts. */
const PUBLIC_URL = 'https://93.184.215.14/hooks/invoicing';
/** RFC 6761 reserves .invalid, and a 64-character label cannot be put in a DNS query: no packet leaves. */
const UNRESOLVABLE_HOST = `${'a'.repeat(64)}.invalid`;

interface EndpointBody {
  id: string;
  url: string;
  description: string | null;
  events: string[];
  enabled: boolean;
  disabledAt: string | null;
  disabledReason: string | null;
  secretRotatedUntil: string | null;
  createdAt: string;
  updatedAt: string;
  secret?: string;
}

/** Polls `check` until it answers something truthy, or fails after `timeoutMs`. */
async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('Timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface SecretRow {
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: Date | null;
}

describe('webhook endpoints', () => {
  /** WEBHOOK_ALLOW_PRIVATE_URLS=true: loopback receivers may be registered, as in local development. */
  let open: TestApp;
  /** WEBHOOK_ALLOW_PRIVATE_URLS=false: the production setting. */
  let strict: TestApp;

  beforeAll(async () => {
    open = await startTestApp({ WEBHOOK_ALLOW_PRIVATE_URLS: 'true' });
    // Registration checks only: the api role, so no worker of its own refuses the loopback test pings below.
    strict = await startTestApp({ WEBHOOK_ALLOW_PRIVATE_URLS: 'false', APP_ROLE: 'api' });
  });
  afterAll(async () => {
    await open?.close();
    await strict?.close();
  });

  const create = async (
    account: Account,
    body: object = { url: 'http://127.0.0.1:9/hook', events: ['invoice.paid'] },
    sut: TestApp = open,
  ): Promise<EndpointBody> =>
    (await actingAs(sut.http, account).post('/v1/webhook-endpoints', body).expect(201)).body;

  async function secretsOf(id: string): Promise<SecretRow> {
    const { rows } = await open.db.query<SecretRow>(
      `SELECT secret, previous_secret AS "previousSecret", previous_secret_expires_at AS "previousSecretExpiresAt"
         FROM webhook_endpoints WHERE id = $1`,
      [id],
    );
    return rows[0];
  }

  async function endpointCount(organizationId: string): Promise<number> {
    const { rows } = await open.db.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM webhook_endpoints WHERE organization_id = $1',
      [organizationId],
    );
    return rows[0].count;
  }

  describe('POST /v1/webhook-endpoints', () => {
    it('answers 201 with the endpoint and its whsec_ secret, which standardwebhooks accepts', async () => {
      const owner = await signUpOwner(open.http);

      const response = await actingAs(open.http, owner)
        .post('/v1/webhook-endpoints', {
          url: 'http://127.0.0.1:4000/hook',
          events: ['invoice.paid', 'payment.failed'],
          description: 'ERP sync',
        })
        .expect(201);

      expect(response.body).toEqual({
        id: expect.stringMatching(UUID),
        url: 'http://127.0.0.1:4000/hook',
        description: 'ERP sync',
        events: ['invoice.paid', 'payment.failed'],
        enabled: true,
        disabledAt: null,
        disabledReason: null,
        secretRotatedUntil: null,
        createdAt: expect.stringMatching(ISO_UTC),
        updatedAt: expect.stringMatching(ISO_UTC),
        secret: expect.stringMatching(SECRET),
      });
      expect((await secretsOf(response.body.id)).secret).toBe(response.body.secret);
      const payload = '{"type":"invoice.paid"}';
      const now = new Date();
      const signature = new Webhook(response.body.secret).sign('msg_1', now, payload);
      expect(() =>
        new Webhook(response.body.secret).verify(payload, {
          'webhook-id': 'msg_1',
          'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
          'webhook-signature': signature,
        }),
      ).not.toThrow();
    });

    it('accepts ["*"] for every event, and no description', async () => {
      const owner = await signUpOwner(open.http);

      const endpoint = await create(owner, { url: 'http://localhost:8080/in', events: ['*'] });

      expect(endpoint).toMatchObject({ url: 'http://localhost:8080/in', events: ['*'], description: null });
    });

    it('gives every endpoint its own secret', async () => {
      const owner = await signUpOwner(open.http);

      const [first, second] = [await create(owner), await create(owner)];

      expect(first.secret).not.toBe(second.secret);
    });

    it('stores the URL as normalized: a numeric host in another spelling becomes a dotted quad', async () => {
      const owner = await signUpOwner(open.http);

      const endpoint = await create(owner, { url: 'HTTP://0x7f000001:8080/a/../hook', events: ['*'] });

      expect(endpoint.url).toBe('http://127.0.0.1:8080/hook');
    });

    it('ignores Idempotency-Key (its answer carries a secret): the same key creates again', async () => {
      const owner = await signUpOwner(open.http);
      const body = { url: 'http://127.0.0.1:9/hook', events: ['*'] };
      const post = () =>
        actingAs(open.http, owner).post('/v1/webhook-endpoints', body).set('Idempotency-Key', 'same-key');

      const first = await post().expect(201);
      const second = await post().expect(201);

      expect(second.headers['idempotent-replayed']).toBeUndefined();
      expect(second.body.id).not.toBe(first.body.id);
      expect(await endpointCount(owner.organizationId)).toBe(2);
    });

    it.each([
      ['no url', { events: ['*'] }, 'url'],
      ['no events', { url: 'http://127.0.0.1/hook' }, 'events'],
      ['an empty url', { url: '', events: ['*'] }, 'url'],
      ['a url that is not a string', { url: 42, events: ['*'] }, 'url'],
      ['a url of 2049 characters', { url: `http://127.0.0.1/${'a'.repeat(2032)}`, events: ['*'] }, 'url'],
      ['events that are not a list', { url: 'http://127.0.0.1/', events: 'invoice.paid' }, 'events'],
      ['an empty events list', { url: 'http://127.0.0.1/', events: [] }, 'events'],
      ['a non-string event', { url: 'http://127.0.0.1/', events: [1] }, 'events'],
      ['"*" with other types', { url: 'http://127.0.0.1/', events: ['*', 'invoice.paid'] }, 'events'],
      ['a repeated type', { url: 'http://127.0.0.1/', events: ['invoice.paid', 'invoice.paid'] }, 'events'],
      [
        'a description of 501 characters',
        { url: 'http://127.0.0.1/', events: ['*'], description: 'd'.repeat(501) },
        'description',
      ],
      ['an unknown field', { url: 'http://127.0.0.1/', events: ['*'], secret: 'whsec_mine' }, 'secret'],
      [
        'an unknown field (enabled on create)',
        { url: 'http://127.0.0.1/', events: ['*'], enabled: false },
        'enabled',
      ],
    ])('answers 400 validation_failed for %s', async (_case, body, field) => {
      const owner = await signUpOwner(open.http);

      const response = await actingAs(open.http, owner).post('/v1/webhook-endpoints', body);

      expectProblem(response, 400, 'validation_failed');
      expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      expect(await endpointCount(owner.organizationId)).toBe(0);
    });

    it('names the unknown event types', async () => {
      const owner = await signUpOwner(open.http);

      const response = await actingAs(open.http, owner).post('/v1/webhook-endpoints', {
        url: 'http://127.0.0.1/',
        events: ['invoice.paid', 'invoice.exploded', 'nope'],
      });

      expectProblem(response, 400, 'validation_failed');
      expect(response.body.errors).toEqual([
        { field: 'events', message: 'events has unknown event types: invoice.exploded, nope' },
      ]);
    });

    it.each([
      ['ftp', 'ftp://127.0.0.1/hook', /http or https, not ftp/],
      ['file', 'file:///etc/passwd', /http or https, not file/],
      ['javascript', 'javascript:alert(1)', /http or https, not javascript/],
      ['gopher', 'gopher://127.0.0.1:6379/_FLUSHALL', /http or https, not gopher/],
      ['a relative URL', '/hooks', /absolute/],
      ['not a URL', 'hooks please', /absolute/],
      ['user and password', 'https://user:pass@127.0.0.1/hook', /credentials/],
      ['a user name', 'https://admin@127.0.0.1/hook', /credentials/],
    ])('refuses %s with a url field error, even with private URLs allowed', async (_case, url, message) => {
      const owner = await signUpOwner(open.http);

      const response = await actingAs(open.http, owner).post('/v1/webhook-endpoints', { url, events: ['*'] });

      expectProblem(response, 400, 'validation_failed');
      expect(response.body.errors).toEqual([{ field: 'url', message: expect.stringMatching(message) }]);
    });
  });

  describe('SSRF with WEBHOOK_ALLOW_PRIVATE_URLS=false', () => {
    it.each([
      ['loopback', 'http://127.0.0.1:8080/hook', /loopback/],
      ['loopback elsewhere in 127/8', 'http://127.53.0.1/hook', /loopback/],
      ['localhost', 'http://localhost:8080/hook', /localhost resolves to .*loopback/],
      ['decimal loopback', 'http://2130706433/hook', /127\.0\.0\.1 is a loopback/],
      ['hex loopback', 'http://0x7f000001/hook', /127\.0\.0\.1 is a loopback/],
      ['octal loopback', 'http://0177.0.0.1/hook', /127\.0\.0\.1 is a loopback/],
      ['short loopback', 'http://127.1/hook', /127\.0\.0\.1 is a loopback/],
      ['IPv6 loopback', 'http://[::1]:8080/hook', /loopback/],
      ['IPv4-mapped loopback', 'http://[::ffff:127.0.0.1]/hook', /loopback/],
      ['NAT64 loopback', 'http://[64:ff9b::7f00:1]/hook', /loopback/],
      ['6to4 private', 'http://[2002:c0a8:101::1]/hook', /private/],
      ['private 10/8', 'https://10.1.2.3/hook', /private/],
      ['private 172.16/12', 'https://172.20.0.1/hook', /private/],
      ['private 192.168/16', 'https://192.168.0.10/hook', /private/],
      ['unique local IPv6', 'https://[fd12:3456::1]/hook', /private/],
      ['link-local', 'http://169.254.10.10/hook', /link-local/],
      ['cloud metadata', 'http://169.254.169.254/latest/meta-data/', /metadata/],
      ['AWS IPv6 metadata', 'http://[fd00:ec2::254]/latest/meta-data/', /metadata/],
      ['CGNAT', 'http://100.64.0.1/hook', /CGNAT/],
      ['unspecified', 'http://0.0.0.0:8080/hook', /unspecified/],
      ['multicast', 'http://224.0.0.1/hook', /multicast/],
      ['broadcast', 'http://255.255.255.255/hook', /broadcast/],
    ])('refuses %s with 400 webhook_url_forbidden and the reason', async (_case, url, reason) => {
      const owner = await signUpOwner(strict.http);

      const response = await actingAs(strict.http, owner).post('/v1/webhook-endpoints', {
        url,
        events: ['*'],
      });

      expectProblem(response, 400, 'webhook_url_forbidden');
      expect(response.body.detail).toMatch(reason);
      expect(await endpointCount(owner.organizationId)).toBe(0);
    });

    it('refuses a host that does not resolve with 400 webhook_url_unresolvable', async () => {
      const owner = await signUpOwner(strict.http);

      const response = await actingAs(strict.http, owner).post('/v1/webhook-endpoints', {
        url: `https://${UNRESOLVABLE_HOST}/hook`,
        events: ['*'],
      });

      expectProblem(response, 400, 'webhook_url_unresolvable');
      expect(response.body.detail).toBe(`${UNRESOLVABLE_HOST} does not resolve`);
    });

    it('accepts a public address', async () => {
      const owner = await signUpOwner(strict.http);

      const endpoint = await create(owner, { url: PUBLIC_URL, events: ['*'] }, strict);

      expect(endpoint.url).toBe(PUBLIC_URL);
    });

    it('checks a changed URL too, and keeps the old one when refusing', async () => {
      const owner = await signUpOwner(strict.http);
      const endpoint = await create(owner, { url: PUBLIC_URL, events: ['*'] }, strict);

      const response = await actingAs(strict.http, owner).patch(`/v1/webhook-endpoints/${endpoint.id}`, {
        url: 'http://[::ffff:169.254.169.254]/latest',
      });

      expectProblem(response, 400, 'webhook_url_forbidden');
      const stored = await actingAs(strict.http, owner)
        .get(`/v1/webhook-endpoints/${endpoint.id}`)
        .expect(200);
      expect(stored.body.url).toBe(PUBLIC_URL);
    });
  });

  describe('roles and tenancy', () => {
    it('lets an admin manage endpoints', async () => {
      const owner = await signUpOwner(open.http);
      const admin = await addMember(open.http, owner, 'admin');
      const as = actingAs(open.http, admin);

      const endpoint = await create(admin);
      await as.get('/v1/webhook-endpoints').expect(200);
      await as.get(`/v1/webhook-endpoints/${endpoint.id}`).expect(200);
      await as.patch(`/v1/webhook-endpoints/${endpoint.id}`, { description: 'by admin' }).expect(200);
      await as.post(`/v1/webhook-endpoints/${endpoint.id}/rotate-secret`).expect(200);
      await as.delete(`/v1/webhook-endpoints/${endpoint.id}`).expect(204);
    });

    it.each(['viewer', 'member'] as const)('answers 403 to a %s on every route', async (role) => {
      const owner = await signUpOwner(open.http);
      const endpoint = await create(owner);
      const as = actingAs(open.http, await addMember(open.http, owner, role));
      const path = `/v1/webhook-endpoints/${endpoint.id}`;

      const responses = [
        await as.post('/v1/webhook-endpoints', { url: 'http://127.0.0.1/', events: ['*'] }),
        await as.get('/v1/webhook-endpoints'),
        await as.get(path),
        await as.patch(path, { enabled: false }),
        await as.delete(path),
        await as.post(`${path}/rotate-secret`),
      ];

      for (const response of responses) expectProblem(response, 403, 'insufficient_role');
      expect(await secretsOf(endpoint.id)).toMatchObject({ secret: endpoint.secret, previousSecret: null });
    });

    it('answers 401 without a token', async () => {
      expectProblem(await open.http.get('/v1/webhook-endpoints'), 401, 'unauthorized');
      expectProblem(
        await open.http.post('/v1/webhook-endpoints').send({ url: 'http://127.0.0.1/', events: ['*'] }),
        401,
        'unauthorized',
      );
    });

    it("answers 404 webhook_endpoint_not_found for another organization's endpoint, and changes nothing", async () => {
      const owner = await signUpOwner(open.http);
      const endpoint = await create(owner);
      const stranger = actingAs(open.http, await signUpOwner(open.http, 'Rival'));
      const path = `/v1/webhook-endpoints/${endpoint.id}`;

      const responses = [
        await stranger.get(path),
        await stranger.patch(path, { enabled: false }),
        await stranger.delete(path),
        await stranger.post(`${path}/rotate-secret`),
      ];

      for (const response of responses) expectProblem(response, 404, 'webhook_endpoint_not_found');
      expect((await stranger.get('/v1/webhook-endpoints').expect(200)).body.data).toEqual([]);
      const unchanged = await actingAs(open.http, owner).get(path).expect(200);
      expect(unchanged.body).toMatchObject({ enabled: true, url: endpoint.url });
      expect((await secretsOf(endpoint.id)).secret).toBe(endpoint.secret);
    });

    it('answers 404 for an id that never existed and 400 for one that is not a UUID', async () => {
      const as = actingAs(open.http, await signUpOwner(open.http));

      expectProblem(
        await as.get('/v1/webhook-endpoints/01900000-0000-7000-8000-000000000000'),
        404,
        'webhook_endpoint_not_found',
      );
      expectProblem(await as.get('/v1/webhook-endpoints/not-a-uuid'), 400, 'validation_failed');
      expectProblem(
        await as.post('/v1/webhook-endpoints/not-a-uuid/rotate-secret'),
        400,
        'validation_failed',
      );
    });
  });

  describe('GET', () => {
    it('never shows the secret, in the list or one by one', async () => {
      const owner = await signUpOwner(open.http);
      const { secret, ...endpoint } = await create(owner);
      const as = actingAs(open.http, owner);

      const one = await as.get(`/v1/webhook-endpoints/${endpoint.id}`).expect(200);
      const list = await as.get('/v1/webhook-endpoints').expect(200);

      expect(one.body).toEqual(endpoint);
      expect(list.body).toEqual({ data: [endpoint], nextCursor: null });
      expect(JSON.stringify([one.body, list.body])).not.toContain(secret);
    });

    it('lists newest first, page by page with the cursor', async () => {
      const owner = await signUpOwner(open.http);
      const ids: string[] = [];
      for (let i = 0; i < 3; i += 1) ids.push((await create(owner)).id);
      const as = actingAs(open.http, owner);

      const first = await as.get('/v1/webhook-endpoints?limit=2').expect(200);
      const second = await as
        .get(`/v1/webhook-endpoints?limit=2&cursor=${first.body.nextCursor}`)
        .expect(200);

      expect(first.body.data.map((e: EndpointBody) => e.id)).toEqual([ids[2], ids[1]]);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      expect(second.body.data.map((e: EndpointBody) => e.id)).toEqual([ids[0]]);
      expect(second.body.nextCursor).toBeNull();
    });

    it.each([
      ['limit=0', 'validation_failed'],
      ['limit=101', 'validation_failed'],
      ['cursor=bogus', 'invalid_cursor'],
      ['status=enabled', 'validation_failed'],
    ])('answers 400 to ?%s', async (query, code) => {
      const as = actingAs(open.http, await signUpOwner(open.http));

      expectProblem(await as.get(`/v1/webhook-endpoints?${query}`), 400, code);
    });
  });

  describe('PATCH /v1/webhook-endpoints/:id', () => {
    it('changes url, events and description, and never answers the secret', async () => {
      const owner = await signUpOwner(open.http);
      const endpoint = await create(owner, { url: 'http://127.0.0.1/a', events: ['*'], description: 'old' });

      const response = await actingAs(open.http, owner)
        .patch(`/v1/webhook-endpoints/${endpoint.id}`, {
          url: 'http://127.0.0.1:9000/b',
          events: ['customer.created', 'webhook_endpoint.disabled'],
          description: null,
        })
        .expect(200);

      expect(response.body).toEqual({
        ...endpoint,
        secret: undefined,
        url: 'http://127.0.0.1:9000/b',
        events: ['customer.created', 'webhook_endpoint.disabled'],
        description: null,
        updatedAt: expect.stringMatching(ISO_UTC),
      });
      expect(response.body).not.toHaveProperty('secret');
      expect((await secretsOf(endpoint.id)).secret).toBe(endpoint.secret);
    });

    it('disables an endpoint, then re-enabling clears disabledAt, disabledReason and failingSince', async () => {
      const owner = await signUpOwner(open.http);
      const endpoint = await create(owner);
      const as = actingAs(open.http, owner);

      const disabled = await as.patch(`/v1/webhook-endpoints/${endpoint.id}`, { enabled: false }).expect(200);
      expect(disabled.body).toMatchObject({
        enabled: false,
        disabledAt: expect.stringMatching(ISO_UTC),
        disabledReason: expect.any(String),
      });

      // As the delivery worker leaves it after five days of failures.
      await open.db.query(
        `UPDATE webhook_endpoints SET failing_since = now() - interval '5 days', disabled_reason = 'Failing for 5 days'
          WHERE id = $1`,
        [endpoint.id],
      );
      const enabled = await as.patch(`/v1/webhook-endpoints/${endpoint.id}`, { enabled: true }).expect(200);

      expect(enabled.body).toMatchObject({ enabled: true, disabledAt: null, disabledReason: null });
      const { rows } = await open.db.query('SELECT failing_since FROM webhook_endpoints WHERE id = $1', [
        endpoint.id,
      ]);
      expect(rows[0].failing_since).toBeNull();
    });

    it('answers 200 and changes nothing for an empty body', async () => {
      const owner = await signUpOwner(open.http);
      const { secret: _secret, ...endpoint } = await create(owner);

      const response = await actingAs(open.http, owner)
        .patch(`/v1/webhook-endpoints/${endpoint.id}`, {})
        .expect(200);

      expect(response.body).toEqual({ ...endpoint, updatedAt: expect.stringMatching(ISO_UTC) });
    });

    it.each([
      ['a null url', { url: null }, 'url'],
      ['a null events', { events: null }, 'events'],
      ['a null enabled', { enabled: null }, 'enabled'],
      ['enabled as text', { enabled: 'yes' }, 'enabled'],
      ['an empty events list', { events: [] }, 'events'],
      ['an unknown event type', { events: ['invoice.exploded'] }, 'events'],
      ['a bad scheme', { url: 'file:///etc/passwd' }, 'url'],
      ['credentials', { url: 'http://u:p@127.0.0.1/' }, 'url'],
      ['the secret', { secret: 'whsec_mine' }, 'secret'],
      ['an unknown field', { retries: 3 }, 'retries'],
    ])('answers 400 validation_failed for %s', async (_case, body, field) => {
      const owner = await signUpOwner(open.http);
      const endpoint = await create(owner);

      const response = await actingAs(open.http, owner).patch(`/v1/webhook-endpoints/${endpoint.id}`, body);

      expectProblem(response, 400, 'validation_failed');
      expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    });
  });

  describe('DELETE /v1/webhook-endpoints/:id', () => {
    it('answers 204 and the endpoint is gone', async () => {
      const owner = await signUpOwner(open.http);
      const endpoint = await create(owner);
      const as = actingAs(open.http, owner);

      const response = await as.delete(`/v1/webhook-endpoints/${endpoint.id}`).expect(204);

      expect(response.text).toBe('');
      expectProblem(await as.get(`/v1/webhook-endpoints/${endpoint.id}`), 404, 'webhook_endpoint_not_found');
      expectProblem(
        await as.delete(`/v1/webhook-endpoints/${endpoint.id}`),
        404,
        'webhook_endpoint_not_found',
      );
      expect(await endpointCount(owner.organizationId)).toBe(0);
    });
  });

  describe('POST /v1/webhook-endpoints/:id/rotate-secret', () => {
    it('answers 200 with a new secret once and keeps the old one signing for 24 hours', async () => {
      const owner = await signUpOwner(open.http);
      const endpoint = await create(owner);
      const as = actingAs(open.http, owner);
      const before = Date.now();

      const response = await as.post(`/v1/webhook-endpoints/${endpoint.id}/rotate-secret`).expect(200);

      expect(response.body).toEqual({
        ...endpoint,
        secret: expect.stringMatching(SECRET),
        secretRotatedUntil: expect.stringMatching(ISO_UTC),
        updatedAt: expect.stringMatching(ISO_UTC),
      });
      expect(response.body.secret).not.toBe(endpoint.secret);
      const rotatedUntil = Date.parse(response.body.secretRotatedUntil);
      expect(rotatedUntil).toBeGreaterThanOrEqual(before + DAY_MS - 1000);
      expect(rotatedUntil).toBeLessThanOrEqual(Date.now() + DAY_MS + 1000);
      expect(await secretsOf(endpoint.id)).toEqual({
        secret: response.body.secret,
        previousSecret: endpoint.secret,
        previousSecretExpiresAt: new Date(response.body.secretRotatedUntil),
      });
      const shown = await as.get(`/v1/webhook-endpoints/${endpoint.id}`).expect(200);
      expect(shown.body).not.toHaveProperty('secret');
      expect(shown.body.secretRotatedUntil).toBe(response.body.secretRotatedUntil);
      expect(JSON.stringify(shown.body)).not.toContain(response.body.secret);
    });

    it('rotating again within 24 hours keeps the then-current secret as the previous one', async () => {
      const owner = await signUpOwner(open.http);
      const endpoint = await create(owner);
      const as = actingAs(open.http, owner);
      const rotate = async () =>
        (await as.post(`/v1/webhook-endpoints/${endpoint.id}/rotate-secret`).expect(200))
          .body as EndpointBody;

      const first = await rotate();
      const second = await rotate();

      expect(new Set([endpoint.secret, first.secret, second.secret]).size).toBe(3);
      expect(await secretsOf(endpoint.id)).toMatchObject({
        secret: second.secret,
        previousSecret: first.secret,
      });
      expect(Date.parse(second.secretRotatedUntil!)).toBeGreaterThanOrEqual(
        Date.parse(first.secretRotatedUntil!),
      );
    });

    it('stops showing secretRotatedUntil once the 24 hours are over', async () => {
      const owner = await signUpOwner(open.http);
      const endpoint = await create(owner);
      const as = actingAs(open.http, owner);
      await as.post(`/v1/webhook-endpoints/${endpoint.id}/rotate-secret`).expect(200);
      await open.db.query(
        `UPDATE webhook_endpoints SET previous_secret_expires_at = now() - interval '1 second' WHERE id = $1`,
        [endpoint.id],
      );

      const shown = await as.get(`/v1/webhook-endpoints/${endpoint.id}`).expect(200);

      expect(shown.body.secretRotatedUntil).toBeNull();
    });

    it('ignores Idempotency-Key: the same key rotates again, no stored answer keeps the secret', async () => {
      const owner = await signUpOwner(open.http);
      const endpoint = await create(owner);
      const rotate = () =>
        actingAs(open.http, owner)
          .post(`/v1/webhook-endpoints/${endpoint.id}/rotate-secret`)
          .set('Idempotency-Key', 'rotate-once');

      const first = await rotate().expect(200);
      const second = await rotate().expect(200);

      expect(second.headers['idempotent-replayed']).toBeUndefined();
      expect(second.body.secret).not.toBe(first.body.secret);
    });
  });

  describe('POST /v1/webhook-endpoints/:id/test', () => {
    const receivers: Receiver[] = [];
    afterEach(async () => {
      await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
    });

    /** A receiver registered through the API as an endpoint of the account's organization. */
    async function registered(account: Account, events: string[] = ['*']) {
      const receiver = await new Receiver(() => ({ status: 200, body: 'pong' })).start();
      receivers.push(receiver);
      const endpoint = await create(account, { url: receiver.url, events });
      receiver.secret = endpoint.secret!;
      return { receiver, endpoint };
    }

    async function testEventsOf(organizationId: string): Promise<number> {
      const { rows } = await open.db.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM events WHERE organization_id = $1 AND type = 'webhook_endpoint.test'`,
        [organizationId],
      );
      return rows[0].count;
    }

    it('sends a signed webhook_endpoint.test ping to that endpoint only, logged like any delivery', async () => {
      const owner = await signUpOwner(open.http);
      const as = actingAs(open.http, owner);
      // Subscribed to one type only: the ping goes to the endpoint whatever it subscribes to.
      const { receiver, endpoint } = await registered(owner, ['invoice.paid']);
      const everything = await registered(owner, ['*']);
      const another = await registered(owner, ['customer.created']);

      const response = await as.post(`/v1/webhook-endpoints/${endpoint.id}/test`).expect(202);

      expect(response.body).toEqual({
        id: expect.stringMatching(UUID),
        eventId: expect.stringMatching(UUID),
        endpointId: endpoint.id,
        status: 'pending',
      });
      const { eventId } = response.body;
      // 15 s: in a parallel run another suite's worker, refusing loopback, may make the first attempt.
      const [ping] = await waitFor(
        () => receiver.received.some((request) => request.verified) && receiver.received,
        15_000,
      );
      const verified = receiver.received.find((request) => request.verified)!;
      expect(verified.headers['webhook-id']).toBe(eventId);
      expect(ping.headers['webhook-id']).toBe(eventId);
      const { secret: _secret, ...shown } = endpoint;
      expect(JSON.parse(verified.body)).toEqual({
        id: eventId,
        type: 'webhook_endpoint.test',
        timestamp: expect.stringMatching(ISO_UTC),
        data: { object: { ...shown, updatedAt: expect.stringMatching(ISO_UTC) } },
      });
      expect(verified.body).not.toContain(endpoint.secret);

      const log = await waitFor(async () => {
        const page = await as.get(`/v1/webhook-endpoints/${endpoint.id}/deliveries`).expect(200);
        const [delivery] = page.body.data;
        return delivery?.status === 'succeeded' && delivery;
      }, 15_000);
      expect(log).toMatchObject({
        id: response.body.id,
        eventId,
        eventType: 'webhook_endpoint.test',
        attemptLog: expect.arrayContaining([
          expect.objectContaining({ statusCode: 200, responseExcerpt: 'pong' }),
        ]),
      });
      await as.get(`/v1/events/${eventId}`).expect(200);

      // Give a wrongly relayed ping time to arrive: the other endpoints, '*' included, get nothing.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(everything.receiver.received).toEqual([]);
      expect(another.receiver.received).toEqual([]);
      const { rows } = await open.db.query(
        `SELECT endpoint_id AS "endpointId" FROM webhook_deliveries WHERE event_id = $1`,
        [eventId],
      );
      expect(rows).toEqual([{ endpointId: endpoint.id }]);

      // Redelivering the ping also targets that endpoint alone.
      const redelivered = await as.post(`/v1/events/${eventId}/redeliver`).expect(202);
      expect(redelivered.body.data).toEqual([expect.objectContaining({ endpointId: endpoint.id })]);
      // Let it arrive before the receiver closes, so no retry outlives the test.
      await waitFor(() => receiver.received.filter((request) => request.verified).length === 2, 15_000);
      expect(receiver.received.at(-1)!.headers['webhook-id']).toBe(eventId);
    }, 40_000);

    it('refuses webhook_endpoint.test in a subscription', async () => {
      const owner = await signUpOwner(open.http);
      const as = actingAs(open.http, owner);
      const endpoint = await create(owner);

      const responses = [
        await as.post('/v1/webhook-endpoints', {
          url: 'http://127.0.0.1/',
          events: ['webhook_endpoint.test'],
        }),
        await as.patch(`/v1/webhook-endpoints/${endpoint.id}`, {
          events: ['invoice.paid', 'webhook_endpoint.test'],
        }),
      ];

      for (const response of responses) {
        expectProblem(response, 400, 'validation_failed');
        expect(response.body.errors).toEqual([
          { field: 'events', message: expect.stringMatching(/cannot include webhook_endpoint\.test/) },
        ]);
      }
    });

    it('lets an admin send a ping and answers 403 to a member or a viewer', async () => {
      const owner = await signUpOwner(open.http);
      const endpoint = await create(owner);
      const path = `/v1/webhook-endpoints/${endpoint.id}/test`;

      await actingAs(open.http, await addMember(open.http, owner, 'admin'))
        .post(path)
        .expect(202);
      for (const role of ['member', 'viewer'] as const) {
        const response = await actingAs(open.http, await addMember(open.http, owner, role)).post(path);
        expectProblem(response, 403, 'insufficient_role');
      }
      expect(await testEventsOf(owner.organizationId)).toBe(1);
    });

    it("answers 404 for another organization's endpoint and writes nothing", async () => {
      const owner = await signUpOwner(open.http);
      const endpoint = await create(owner);
      const stranger = await signUpOwner(open.http, 'Rival');

      const response = await actingAs(open.http, stranger).post(`/v1/webhook-endpoints/${endpoint.id}/test`);

      expectProblem(response, 404, 'webhook_endpoint_not_found');
      expect(await testEventsOf(owner.organizationId)).toBe(0);
      expect(await testEventsOf(stranger.organizationId)).toBe(0);
    });

    it('answers 409 webhook_endpoint_disabled for a disabled endpoint and writes nothing', async () => {
      const owner = await signUpOwner(open.http);
      const as = actingAs(open.http, owner);
      const endpoint = await create(owner);
      await as.patch(`/v1/webhook-endpoints/${endpoint.id}`, { enabled: false }).expect(200);

      const response = await as.post(`/v1/webhook-endpoints/${endpoint.id}/test`);

      expectProblem(response, 409, 'webhook_endpoint_disabled');
      expect(await testEventsOf(owner.organizationId)).toBe(0);
    });
  });
});
