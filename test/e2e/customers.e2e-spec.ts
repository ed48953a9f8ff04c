import type { Response } from 'supertest';
import { type Account, addMember, expectProblem, signUpOwner, uniqueEmail } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

interface CustomerBody {
  id: string;
  name: string;
  email: string;
  phone: string | null;
  address: Record<string, string> | null;
  taxId: string | null;
  currency: string | null;
  metadata: Record<string, string>;
  archived: boolean;
  archivedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

interface EventRow {
  type: string;
  organizationId: string;
  data: CustomerBody;
}

/** Every field a customer can have, filled in. */
const fullCustomer = () => ({
  name: 'Globex Corporation',
  email: uniqueEmail('ap'),
  phone: '+1 555 0100',
  address: {
    line1: '1 Main Street',
    line2: 'Suite 5',
    city: 'Springfield',
    state: 'IL',
    postalCode: '62701',
    country: 'US',
  },
  taxId: 'US123456789',
  currency: 'EUR',
  metadata: { crmId: '42', segment: 'enterprise' },
});

const metadataWithKeys = (count: number) =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`key${i}`, `value${i}`]));

describe('customers', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp();
  });
  afterAll(() => sut.close());

  /** Requests carrying `account`'s access token. */
  const as = (account: Account) => ({
    get: (path: string) => sut.http.get(path).set('Authorization', account.bearer),
    post: (path: string, body?: object) => {
      const request = sut.http.post(path).set('Authorization', account.bearer);
      return body === undefined ? request : request.send(body);
    },
    patch: (path: string, body: object) =>
      sut.http.patch(path).set('Authorization', account.bearer).send(body),
    delete: (path: string) => sut.http.delete(path).set('Authorization', account.bearer),
  });

  const create = async (account: Account, body: object = fullCustomer()): Promise<CustomerBody> =>
    (await as(account).post('/v1/customers', body).expect(201)).body;

  /** GET one, without its balances (none here: these customers have no invoices; see customer-balances). */
  const fetch = async (account: Account, id: string): Promise<CustomerBody> => {
    const { balances, ...customer } = (await as(account).get(`/v1/customers/${id}`).expect(200)).body;
    expect(balances).toEqual([]);
    return customer;
  };

  const listIds = async (account: Account, query = ''): Promise<string[]> =>
    (await as(account).get(`/v1/customers${query}`).expect(200)).body.data.map((c: CustomerBody) => c.id);

  /** The outbox rows about one customer, oldest first. */
  async function eventsFor(customerId: string): Promise<EventRow[]> {
    const { rows } = await sut.db.query<EventRow>(
      `SELECT type, organization_id AS "organizationId", data FROM events WHERE data->>'id' = $1 ORDER BY id`,
      [customerId],
    );
    return rows;
  }

  async function rowCounts(organizationId: string): Promise<{ customers: number; events: number }> {
    const { rows } = await sut.db.query<{ customers: number; events: number }>(
      `SELECT (SELECT count(*) FROM customers WHERE organization_id = $1)::int AS customers,
              (SELECT count(*) FROM events WHERE organization_id = $1)::int AS events`,
      [organizationId],
    );
    return rows[0];
  }

  describe('POST /v1/customers', () => {
    it('answers 201 with the full customer, address, metadata and currency included', async () => {
      const owner = await signUpOwner(sut.http);
      const body = fullCustomer();

      const response = await as(owner).post('/v1/customers', body).expect(201);

      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.body).toEqual({
        ...body,
        id: expect.stringMatching(UUID),
        archived: false,
        archivedAt: null,
        createdAt: expect.stringMatching(ISO_UTC),
        updatedAt: expect.stringMatching(ISO_UTC),
      });
    });

    it('answers with every field, null or empty, when only name and email are sent', async () => {
      const owner = await signUpOwner(sut.http);
      const email = uniqueEmail('ap');

      const customer = await create(owner, { name: 'Initech', email });

      expect(customer).toEqual({
        id: expect.stringMatching(UUID),
        name: 'Initech',
        email,
        phone: null,
        address: null,
        taxId: null,
        currency: null,
        metadata: {},
        archived: false,
        archivedAt: null,
        createdAt: expect.stringMatching(ISO_UTC),
        updatedAt: expect.stringMatching(ISO_UTC),
      });
      expect(await fetch(owner, customer.id)).toEqual(customer);
    });

    it('writes exactly one customer.created event carrying the customer as answered', async () => {
      const owner = await signUpOwner(sut.http);

      const customer = await create(owner);

      expect(await eventsFor(customer.id)).toEqual([
        { type: 'customer.created', organizationId: owner.organizationId, data: customer },
      ]);
    });

    it('accepts metadata with 50 keys, the limit', async () => {
      const owner = await signUpOwner(sut.http);
      const customer = await create(owner, { ...fullCustomer(), metadata: metadataWithKeys(50) });
      expect(Object.keys(customer.metadata)).toHaveLength(50);
    });

    it('answers 401 unauthorized without a token', async () => {
      const response = await sut.http.post('/v1/customers').send(fullCustomer());
      expectProblem(response, 401, 'unauthorized');
    });

    const name = 'Globex';
    const email = 'ap@globex.test';
    it.each<[string, object, string]>([
      ['name missing', { email }, 'name'],
      ['email missing', { name }, 'email'],
      ['name empty', { name: '', email }, 'name'],
      ['an unknown field', { name, email, nickname: 'G' }, 'nickname'],
      ['name a number', { name: 42, email }, 'name'],
      ['metadata with a number value', { name, email, metadata: { a: 1 } }, 'metadata'],
      ['metadata with 51 keys', { name, email, metadata: metadataWithKeys(51) }, 'metadata'],
      ['a three-letter country', { name, email, address: { country: 'USA' } }, 'address.country'],
      ['a lower-case currency', { name, email, currency: 'usd' }, 'currency'],
      ['an invalid email', { name, email: 'not-an-email' }, 'email'],
    ])('refuses a body with %s: 400 validation_failed naming the field', async (_label, body, field) => {
      const owner = await signUpOwner(sut.http);
      await create(owner);
      const before = await rowCounts(owner.organizationId);

      const response = await as(owner).post('/v1/customers', body);

      expectProblem(response, 400, 'validation_failed');
      expect(response.body.errors).toContainEqual({ field, message: expect.any(String) });
      expect(await rowCounts(owner.organizationId)).toEqual(before);
    });
  });

  describe('GET /v1/customers/:id', () => {
    it('answers the customer as it was created', async () => {
      const owner = await signUpOwner(sut.http);
      const customer = await create(owner);
      expect(await fetch(owner, customer.id)).toEqual(customer);
    });

    it('answers 404 customer_not_found for an id that does not exist', async () => {
      const owner = await signUpOwner(sut.http);
      const response = await as(owner).get('/v1/customers/0190a3c1-0000-7000-8000-000000000000');
      expectProblem(response, 404, 'customer_not_found');
    });
  });

  describe('GET /v1/customers', () => {
    /** Follows nextCursor from `path` until it is null (at most 10 pages). */
    async function walk(account: Account, path: string) {
      const pages: { data: CustomerBody[]; nextCursor: string | null }[] = [];
      let cursor: string | null = null;
      do {
        const url: string = cursor ? `${path}&cursor=${encodeURIComponent(cursor)}` : path;
        pages.push((await as(account).get(url).expect(200)).body);
        cursor = pages[pages.length - 1].nextCursor;
      } while (cursor !== null && pages.length < 10);
      return pages;
    }

    it('answers an empty page for an organization without customers', async () => {
      const owner = await signUpOwner(sut.http);
      const response = await as(owner).get('/v1/customers').expect(200);
      expect(response.body).toEqual({ data: [], nextCursor: null });
    });

    it('lists newest first and walks 5 customers in pages of 2 without duplicates or gaps', async () => {
      const owner = await signUpOwner(sut.http);
      const created: CustomerBody[] = [];
      for (let i = 0; i < 5; i++)
        created.push(await create(owner, { name: `Customer ${i}`, email: uniqueEmail() }));

      const pages = await walk(owner, '/v1/customers?limit=2');

      expect(pages.map((page) => page.data.length)).toEqual([2, 2, 1]);
      expect(pages.map((page) => page.nextCursor === null)).toEqual([false, false, true]);
      expect(pages.flatMap((page) => page.data.map((c) => c.id))).toEqual(created.map((c) => c.id).reverse());
    });

    it('shows only the caller organization’s customers', async () => {
      const owner = await signUpOwner(sut.http);
      const other = await signUpOwner(sut.http);
      const mine = await create(owner);
      await create(other);
      expect(await listIds(owner)).toEqual([mine.id]);
    });

    it.each(['not-a-cursor', Buffer.from('not-a-uuid').toString('base64url'), '%%%'])(
      'answers 400 invalid_cursor for the cursor %p',
      async (cursor) => {
        const owner = await signUpOwner(sut.http);
        const response = await as(owner).get(`/v1/customers?cursor=${encodeURIComponent(cursor)}`);
        expectProblem(response, 400, 'invalid_cursor');
      },
    );

    it.each(['0', '101', 'abc', '2.5'])('answers 400 validation_failed for limit=%s', async (limit) => {
      const owner = await signUpOwner(sut.http);
      const response = await as(owner).get(`/v1/customers?limit=${limit}`);
      expectProblem(response, 400, 'validation_failed');
      expect(response.body.errors).toContainEqual({ field: 'limit', message: expect.any(String) });
    });

    it('answers 400 validation_failed for an unknown query parameter', async () => {
      const owner = await signUpOwner(sut.http);
      expectProblem(await as(owner).get('/v1/customers?sort=name'), 400, 'validation_failed');
    });

    it('answers 400 validation_failed for archived=yes', async () => {
      const owner = await signUpOwner(sut.http);
      expectProblem(await as(owner).get('/v1/customers?archived=yes'), 400, 'validation_failed');
    });
  });

  describe('GET /v1/customers?q=', () => {
    const namesMatching = async (account: Account, q: string): Promise<string[]> =>
      (
        await as(account)
          .get(`/v1/customers?q=${encodeURIComponent(q)}`)
          .expect(200)
      ).body.data
        .map((c: CustomerBody) => c.name)
        .sort();

    it('matches name or email, case-insensitively', async () => {
      const owner = await signUpOwner(sut.http);
      await create(owner, { name: 'Alice Zephyr', email: 'alice@example.test' });
      await create(owner, { name: 'Bob', email: 'ACCOUNTS@Initech.test' });
      await create(owner, { name: 'Carol', email: 'carol@example.test' });

      expect(await namesMatching(owner, 'zEPHYR')).toEqual(['Alice Zephyr']);
      expect(await namesMatching(owner, 'initech')).toEqual(['Bob']);
      expect(await namesMatching(owner, 'EXAMPLE.TEST')).toEqual(['Alice Zephyr', 'Carol']);
      expect(await namesMatching(owner, 'nobody')).toEqual([]);
    });

    it('treats % and _ as literal characters, not wildcards', async () => {
      const owner = await signUpOwner(sut.http);
      await create(owner, { name: 'Save 100% now', email: 'save@example.test' });
      await create(owner, { name: 'Save 1000 now', email: 'thousand@example.test' });
      await create(owner, { name: 'snake_case Ltd', email: 'snake@example.test' });
      await create(owner, { name: 'snakeXcase Ltd', email: 'x@example.test' });

      expect(await namesMatching(owner, '100%')).toEqual(['Save 100% now']);
      expect(await namesMatching(owner, '%')).toEqual(['Save 100% now']);
      expect(await namesMatching(owner, 'e_c')).toEqual(['snake_case Ltd']);
      expect(await namesMatching(owner, '_')).toEqual(['snake_case Ltd']);
    });
  });

  describe('PATCH /v1/customers/:id', () => {
    it('changes only the fields sent', async () => {
      const owner = await signUpOwner(sut.http);
      const customer = await create(owner);

      const response = await as(owner)
        .patch(`/v1/customers/${customer.id}`, { phone: '+44 20 7946 0000', metadata: { crmId: '43' } })
        .expect(200);

      expect(response.body).toEqual({
        ...customer,
        phone: '+44 20 7946 0000',
        metadata: { crmId: '43' },
        updatedAt: expect.stringMatching(ISO_UTC),
      });
      expect(await fetch(owner, customer.id)).toEqual(response.body);
    });

    it('clears phone, taxId and address when sent as null', async () => {
      const owner = await signUpOwner(sut.http);
      const customer = await create(owner);

      await as(owner)
        .patch(`/v1/customers/${customer.id}`, { phone: null, taxId: null, address: null })
        .expect(200);

      expect(await fetch(owner, customer.id)).toMatchObject({
        name: customer.name,
        phone: null,
        taxId: null,
        address: null,
        currency: customer.currency,
      });
    });

    it('records a customer.updated event carrying the customer after the change', async () => {
      const owner = await signUpOwner(sut.http);
      const customer = await create(owner);

      const updated = (
        await as(owner).patch(`/v1/customers/${customer.id}`, { name: 'Globex Intl' }).expect(200)
      ).body;

      expect(await eventsFor(customer.id)).toEqual([
        expect.objectContaining({ type: 'customer.created' }),
        { type: 'customer.updated', organizationId: owner.organizationId, data: updated },
      ]);
    });

    it.each<[string, object, string]>([
      ['name null', { name: null }, 'name'],
      ['email null', { email: null }, 'email'],
      ['metadata null', { metadata: null }, 'metadata'],
      ['an invalid email', { email: 'nope' }, 'email'],
      ['an unknown field', { archived: true }, 'archived'],
      ['a three-letter country', { address: { country: 'DEU' } }, 'address.country'],
    ])('refuses %s with 400 validation_failed and changes nothing', async (_label, body, field) => {
      const owner = await signUpOwner(sut.http);
      const customer = await create(owner);
      const before = await rowCounts(owner.organizationId);

      const response = await as(owner).patch(`/v1/customers/${customer.id}`, body);

      expectProblem(response, 400, 'validation_failed');
      expect(response.body.errors).toContainEqual({ field, message: expect.any(String) });
      expect(await fetch(owner, customer.id)).toEqual(customer);
      expect(await rowCounts(owner.organizationId)).toEqual(before);
    });
  });

  describe('POST /v1/customers/:id/archive and /unarchive', () => {
    it('hides an archived customer from the default list and shows it with ?archived=true', async () => {
      const owner = await signUpOwner(sut.http);
      const kept = await create(owner);
      const archived = await create(owner);

      const response = await as(owner).post(`/v1/customers/${archived.id}/archive`).expect(200);

      expect(response.body).toMatchObject({
        id: archived.id,
        archived: true,
        archivedAt: expect.stringMatching(ISO_UTC),
      });
      expect(await listIds(owner)).toEqual([kept.id]);
      expect(await listIds(owner, '?archived=true')).toEqual([archived.id]);
      expect(await listIds(owner, '?archived=false')).toEqual([kept.id]);
      expect((await fetch(owner, archived.id)).archived).toBe(true);
    });

    it('brings an unarchived customer back to the default list', async () => {
      const owner = await signUpOwner(sut.http);
      const kept = await create(owner);
      const customer = await create(owner);
      await as(owner).post(`/v1/customers/${customer.id}/archive`).expect(200);

      const response = await as(owner).post(`/v1/customers/${customer.id}/unarchive`).expect(200);

      expect(response.body).toMatchObject({ id: customer.id, archived: false, archivedAt: null });
      expect(await listIds(owner)).toEqual([customer.id, kept.id]);
      expect(await listIds(owner, '?archived=true')).toEqual([]);
    });

    it('keeps the first archivedAt when archived twice', async () => {
      const owner = await signUpOwner(sut.http);
      const customer = await create(owner);
      const first = (await as(owner).post(`/v1/customers/${customer.id}/archive`).expect(200)).body;

      const second = (await as(owner).post(`/v1/customers/${customer.id}/archive`).expect(200)).body;

      expect(second.archivedAt).toBe(first.archivedAt);
    });

    it('records a customer.updated event for each', async () => {
      const owner = await signUpOwner(sut.http);
      const customer = await create(owner);
      const archived = (await as(owner).post(`/v1/customers/${customer.id}/archive`).expect(200)).body;
      const unarchived = (await as(owner).post(`/v1/customers/${customer.id}/unarchive`).expect(200)).body;

      expect(await eventsFor(customer.id)).toEqual([
        expect.objectContaining({ type: 'customer.created' }),
        { type: 'customer.updated', organizationId: owner.organizationId, data: archived },
        { type: 'customer.updated', organizationId: owner.organizationId, data: unarchived },
      ]);
    });
  });

  describe('DELETE /v1/customers/:id', () => {
    it('lets an admin delete: 204, then 404 customer_not_found', async () => {
      const owner = await signUpOwner(sut.http);
      const admin = await addMember(sut.http, owner, 'admin');
      const customer = await create(owner);

      const response = await as(admin).delete(`/v1/customers/${customer.id}`).expect(204);

      expect(response.text).toBe('');
      expectProblem(await as(admin).get(`/v1/customers/${customer.id}`), 404, 'customer_not_found');
      expectProblem(await as(admin).delete(`/v1/customers/${customer.id}`), 404, 'customer_not_found');
      expect(await listIds(owner)).toEqual([]);
    });

    it('records a customer.deleted event carrying the customer as it last was', async () => {
      const owner = await signUpOwner(sut.http);
      const customer = await create(owner);

      await as(owner).delete(`/v1/customers/${customer.id}`).expect(204);

      expect(await eventsFor(customer.id)).toEqual([
        expect.objectContaining({ type: 'customer.created' }),
        { type: 'customer.deleted', organizationId: owner.organizationId, data: customer },
      ]);
    });

    it('refuses a member with 403 insufficient_role and keeps the customer', async () => {
      const owner = await signUpOwner(sut.http);
      const member = await addMember(sut.http, owner, 'member');
      const customer = await create(owner);

      expectProblem(await as(member).delete(`/v1/customers/${customer.id}`), 403, 'insufficient_role');
      expect(await fetch(owner, customer.id)).toEqual(customer);
    });
  });

  describe('roles', () => {
    it('lets a member create, edit and archive', async () => {
      const owner = await signUpOwner(sut.http);
      const member = await addMember(sut.http, owner, 'member');

      const customer = await create(member);
      await as(member).patch(`/v1/customers/${customer.id}`, { name: 'Renamed' }).expect(200);
      await as(member).post(`/v1/customers/${customer.id}/archive`).expect(200);

      expect(await fetch(owner, customer.id)).toMatchObject({ name: 'Renamed', archived: true });
    });

    it('lets a viewer read', async () => {
      const owner = await signUpOwner(sut.http);
      const viewer = await addMember(sut.http, owner, 'viewer');
      const customer = await create(owner);

      expect(await fetch(viewer, customer.id)).toEqual(customer);
      expect(await listIds(viewer)).toEqual([customer.id]);
    });

    it.each<[string, (viewer: ReturnType<typeof as>, id: string) => PromiseLike<Response>]>([
      ['POST /v1/customers', (viewer) => viewer.post('/v1/customers', fullCustomer())],
      ['PATCH /v1/customers/:id', (viewer, id) => viewer.patch(`/v1/customers/${id}`, { name: 'Mine' })],
      ['POST /v1/customers/:id/archive', (viewer, id) => viewer.post(`/v1/customers/${id}/archive`)],
      ['POST /v1/customers/:id/unarchive', (viewer, id) => viewer.post(`/v1/customers/${id}/unarchive`)],
      ['DELETE /v1/customers/:id', (viewer, id) => viewer.delete(`/v1/customers/${id}`)],
    ])('refuses a viewer %s with 403 insufficient_role, writing nothing', async (_route, send) => {
      const owner = await signUpOwner(sut.http);
      const viewer = await addMember(sut.http, owner, 'viewer');
      const customer = await create(owner);
      const before = await rowCounts(owner.organizationId);

      expectProblem(await send(as(viewer), customer.id), 403, 'insufficient_role');
      expect(await fetch(owner, customer.id)).toEqual(customer);
      expect(await rowCounts(owner.organizationId)).toEqual(before);
    });
  });

  describe('another organization’s customer', () => {
    type Send = (intruder: ReturnType<typeof as>, id: string) => PromiseLike<Response>;
    it.each<[string, Send, { archived: boolean }]>([
      ['GET', (intruder, id) => intruder.get(`/v1/customers/${id}`), { archived: false }],
      [
        'PATCH',
        (intruder, id) => intruder.patch(`/v1/customers/${id}`, { name: 'Stolen' }),
        { archived: false },
      ],
      ['archive', (intruder, id) => intruder.post(`/v1/customers/${id}/archive`), { archived: false }],
      ['unarchive', (intruder, id) => intruder.post(`/v1/customers/${id}/unarchive`), { archived: true }],
      ['DELETE', (intruder, id) => intruder.delete(`/v1/customers/${id}`), { archived: false }],
    ])('is 404 customer_not_found on %s and stays unchanged', async (_route, send, { archived }) => {
      const owner = await signUpOwner(sut.http);
      const intruder = await signUpOwner(sut.http, 'Intruder Inc');
      const created = await create(owner);
      const customer = archived
        ? (await as(owner).post(`/v1/customers/${created.id}/archive`).expect(200)).body
        : created;
      const before = await rowCounts(owner.organizationId);

      expectProblem(await send(as(intruder), customer.id), 404, 'customer_not_found');
      expect(await fetch(owner, customer.id)).toEqual(customer);
      expect(await rowCounts(owner.organizationId)).toEqual(before);
      expect(await rowCounts(intruder.organizationId)).toEqual({ customers: 0, events: 0 });
    });
  });

  describe('a path id that is not a UUID', () => {
    it.each<[string, (owner: ReturnType<typeof as>) => PromiseLike<Response>]>([
      ['GET', (owner) => owner.get('/v1/customers/not-a-uuid')],
      ['PATCH', (owner) => owner.patch('/v1/customers/not-a-uuid', { name: 'X' })],
      ['archive', (owner) => owner.post('/v1/customers/123/archive')],
      ['unarchive', (owner) => owner.post('/v1/customers/123/unarchive')],
      ['DELETE', (owner) => owner.delete("/v1/customers/1'%20OR%201=1")],
    ])('is 400 validation_failed on %s', async (_route, send) => {
      const owner = await signUpOwner(sut.http);
      const response = await send(as(owner));
      expectProblem(response, 400, 'validation_failed');
      expect(response.body.errors).toEqual([{ field: 'id', message: expect.any(String) }]);
    });
  });
});
