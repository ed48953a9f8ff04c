import { randomUUID } from 'node:crypto';
import {
  type Account,
  actingAs,
  addMember,
  createCustomer,
  expectProblem,
  signUpOwner,
} from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import {
  deliveryRowsOf,
  expectDueAgain,
  insertDelivery,
  insertEndpoint,
  insertEvent,
} from '../support/webhook-rows.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

interface EventBody {
  id: string;
  type: string;
  createdAt: string;
  data: { id?: string } & Record<string, unknown>;
}

const UUID_ANY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('events', () => {
  let sut: TestApp;

  // The api role: no dispatcher of its own sends the deliveries these tests make due.
  beforeAll(async () => {
    sut = await startTestApp({ APP_ROLE: 'api' });
  });
  afterAll(() => sut.close());

  const as = (account: Account) => actingAs(sut.http, account);

  /** Every event of the account's organization through the API, following nextCursor page by page. */
  async function allPages(account: Account, query: string): Promise<{ ids: string[]; pages: number }> {
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const suffix: string = cursor ? `&cursor=${cursor}` : '';
      const body: { data: EventBody[]; nextCursor: string | null } = (
        await as(account).get(`/v1/events?${query}${suffix}`).expect(200)
      ).body;
      ids.push(...body.data.map((event) => event.id));
      cursor = body.nextCursor;
      pages += 1;
    } while (cursor);
    return { ids, pages };
  }

  async function eventIdsOf(organizationId: string): Promise<string[]> {
    const { rows } = await sut.db.query<{ id: string }>(
      'SELECT id FROM events WHERE organization_id = $1 ORDER BY id DESC',
      [organizationId],
    );
    return rows.map((row) => row.id);
  }

  describe('GET /v1/events', () => {
    it('lists the organization’s events newest first, each as { id, type, createdAt, requestId, data }', async () => {
      const owner = await signUpOwner(sut.http);
      const first = await createCustomer(sut.http, owner, { name: 'First' });
      const second = await createCustomer(sut.http, owner, { name: 'Second' });
      await as(owner)
        .patch(`/v1/customers/${first.id}`, { name: 'First, renamed' })
        .set('X-Request-Id', 'rename-request-1')
        .expect(200);

      const response = await as(owner).get('/v1/events').expect(200);

      expect(response.body.nextCursor).toBeNull();
      expect(response.body.data.map((event: EventBody) => [event.type, event.data.id])).toEqual([
        ['customer.updated', first.id],
        ['customer.created', second.id],
        ['customer.created', first.id],
      ]);
      expect(response.body.data[0]).toEqual({
        id: expect.stringMatching(UUID),
        type: 'customer.updated',
        createdAt: expect.stringMatching(ISO_UTC),
        requestId: 'rename-request-1',
        data: expect.objectContaining({ id: first.id, name: 'First, renamed' }),
      });
      expect(response.body.data.map((event: EventBody) => event.id)).toEqual(
        await eventIdsOf(owner.organizationId),
      );
    });

    it('lets a viewer read them', async () => {
      const owner = await signUpOwner(sut.http);
      const viewer = await addMember(sut.http, owner, 'viewer');
      await createCustomer(sut.http, owner);

      const response = await as(viewer).get('/v1/events').expect(200);

      expect(response.body.data.map((event: EventBody) => event.type)).toEqual(['customer.created']);
    });

    it('filters by type', async () => {
      const owner = await signUpOwner(sut.http);
      const customer = await createCustomer(sut.http, owner);
      await as(owner).patch(`/v1/customers/${customer.id}`, { name: 'Renamed' }).expect(200);
      await as(owner).patch(`/v1/customers/${customer.id}`, { name: 'Renamed again' }).expect(200);

      const updated = await as(owner).get('/v1/events?type=customer.updated').expect(200);
      const paid = await as(owner).get('/v1/events?type=invoice.paid').expect(200);

      expect(updated.body.data.map((event: EventBody) => event.data.name)).toEqual([
        'Renamed again',
        'Renamed',
      ]);
      expect(paid.body).toEqual({ data: [], nextCursor: null });
    });

    it('pages with limit and cursor, newest first, every event exactly once', async () => {
      const owner = await signUpOwner(sut.http);
      for (let i = 0; i < 5; i += 1) await insertEvent(sut.db, owner.organizationId);

      const { ids, pages } = await allPages(owner, 'limit=2');

      expect(pages).toBe(3);
      expect(ids).toEqual(await eventIdsOf(owner.organizationId));
    });

    it('pages within a type filter', async () => {
      const owner = await signUpOwner(sut.http);
      const wanted: string[] = [];
      for (let i = 0; i < 3; i += 1) {
        wanted.unshift(await insertEvent(sut.db, owner.organizationId, { type: 'invoice.paid' }));
        await insertEvent(sut.db, owner.organizationId, { type: 'invoice.created' });
      }

      expect((await allPages(owner, 'type=invoice.paid&limit=1')).ids).toEqual(wanted);
    });

    it('never shows another organization’s events', async () => {
      const owner = await signUpOwner(sut.http);
      const other = await signUpOwner(sut.http, 'Other');
      await createCustomer(sut.http, other);

      expect((await as(owner).get('/v1/events').expect(200)).body).toEqual({ data: [], nextCursor: null });
    });

    it.each([
      ['an unknown type', 'type=invoice.exploded'],
      ['the wildcard as a type', 'type=*'],
      ['limit 0', 'limit=0'],
      ['limit 101', 'limit=101'],
      ['limit abc', 'limit=abc'],
      ['an unknown parameter', 'status=open'],
    ])('answers 400 validation_failed to %s', async (_case, query) => {
      const owner = await signUpOwner(sut.http);
      expectProblem(await as(owner).get(`/v1/events?${query}`), 400, 'validation_failed');
    });

    it('answers 400 invalid_cursor to a cursor it did not hand out', async () => {
      const owner = await signUpOwner(sut.http);
      expectProblem(await as(owner).get('/v1/events?cursor=not-a-cursor'), 400, 'invalid_cursor');
    });

    it('answers 401 without a token', async () => {
      expectProblem(await sut.http.get('/v1/events'), 401, 'unauthorized');
    });
  });

  describe('GET /v1/events/:id', () => {
    it('answers the event', async () => {
      const owner = await signUpOwner(sut.http);
      const viewer = await addMember(sut.http, owner, 'viewer');
      const customer = await createCustomer(sut.http, owner);
      const [id] = await eventIdsOf(owner.organizationId);

      const response = await as(viewer).get(`/v1/events/${id}`).expect(200);

      expect(response.body).toEqual({
        id,
        type: 'customer.created',
        createdAt: expect.stringMatching(ISO_UTC),
        // The request that created the customer, with the id the API made for it.
        requestId: expect.stringMatching(UUID_ANY),
        data: expect.objectContaining({ id: customer.id, email: customer.email }),
      });
    });

    it('answers 404 event_not_found for another organization’s event and for one that never was', async () => {
      const owner = await signUpOwner(sut.http);
      const other = await signUpOwner(sut.http, 'Other');
      const theirs = await insertEvent(sut.db, other.organizationId);

      expectProblem(await as(owner).get(`/v1/events/${theirs}`), 404, 'event_not_found');
      expectProblem(await as(owner).get(`/v1/events/${randomUUID()}`), 404, 'event_not_found');
    });

    it('answers 400 to an id that is not a UUID', async () => {
      const owner = await signUpOwner(sut.http);
      expectProblem(await as(owner).get('/v1/events/42'), 400, 'validation_failed');
    });

    it('answers 401 without a token', async () => {
      expectProblem(await sut.http.get(`/v1/events/${randomUUID()}`), 401, 'unauthorized');
    });
  });

  describe('POST /v1/events/:id/redeliver', () => {
    it('makes the delivery pending and due now at every enabled subscribed endpoint, keeping attempts', async () => {
      const owner = await signUpOwner(sut.http);
      const admin = await addMember(sut.http, owner, 'admin');
      const org = owner.organizationId;
      const eventId = await insertEvent(sut.db, org, { type: 'invoice.paid' });
      const subscribed = await insertEndpoint(sut.db, org, { events: ['invoice.created', 'invoice.paid'] });
      const wildcard = await insertEndpoint(sut.db, org, { events: ['*'] });
      const unsubscribed = await insertEndpoint(sut.db, org, { events: ['invoice.created'] });
      const disabled = await insertEndpoint(sut.db, org, { events: ['*'], enabled: false });
      const failedAt = new Date(Date.now() - 86_400_000);
      const earlier = await insertDelivery(sut.db, org, eventId, subscribed, {
        status: 'failed',
        attempts: 8,
        lastAttemptAt: failedAt,
        nextAttemptAt: null,
      });
      const otherEvent = await insertEvent(sut.db, org, { type: 'invoice.paid' });
      const untouched = await insertDelivery(sut.db, org, otherEvent, subscribed, {
        status: 'failed',
        attempts: 8,
      });
      const before = Date.now();

      const response = await as(admin).post(`/v1/events/${eventId}/redeliver`).expect(202);

      const after = Date.now();
      const rows = await deliveryRowsOf(sut.db, org);
      const forEvent = rows.filter((row) => row.eventId === eventId);
      expect(forEvent.map((row) => row.endpointId).sort()).toEqual([subscribed, wildcard].sort());
      expect(rows.some((row) => row.endpointId === unsubscribed || row.endpointId === disabled)).toBe(false);
      const again = forEvent.find((row) => row.endpointId === subscribed)!;
      const fresh = forEvent.find((row) => row.endpointId === wildcard)!;
      expect(again.id).toBe(earlier);
      await expectDueAgain(sut.db, again.id, 8, (before + after) / 2);
      await expectDueAgain(sut.db, fresh.id, 0, (before + after) / 2);
      expect(rows.find((row) => row.id === untouched)).toMatchObject({ status: 'failed', attempts: 8 });

      expect(response.body).toEqual({
        data: expect.arrayContaining([
          {
            id: earlier,
            endpointId: subscribed,
            status: 'pending',
            attempts: 8,
            nextAttemptAt: expect.stringMatching(ISO_UTC),
          },
          {
            id: fresh.id,
            endpointId: wildcard,
            status: 'pending',
            attempts: 0,
            nextAttemptAt: expect.stringMatching(ISO_UTC),
          },
        ]),
      });
      expect(response.body.data).toHaveLength(2);
    });

    it('resets a succeeded delivery too', async () => {
      const owner = await signUpOwner(sut.http);
      const org = owner.organizationId;
      const eventId = await insertEvent(sut.db, org);
      const endpoint = await insertEndpoint(sut.db, org);
      const delivery = await insertDelivery(sut.db, org, eventId, endpoint, {
        status: 'succeeded',
        attempts: 1,
      });

      const response = await as(owner).post(`/v1/events/${eventId}/redeliver`).expect(202);

      expect(response.body.data).toEqual([
        {
          id: delivery,
          endpointId: endpoint,
          status: 'pending',
          attempts: 1,
          nextAttemptAt: expect.stringMatching(ISO_UTC),
        },
      ]);
    });

    it('answers 202 with no deliveries when no endpoint is subscribed', async () => {
      const owner = await signUpOwner(sut.http);
      const eventId = await insertEvent(sut.db, owner.organizationId, { type: 'customer.deleted' });
      await insertEndpoint(sut.db, owner.organizationId, { events: ['invoice.paid'] });

      expect((await as(owner).post(`/v1/events/${eventId}/redeliver`).expect(202)).body).toEqual({
        data: [],
      });
      expect(await deliveryRowsOf(sut.db, owner.organizationId)).toEqual([]);
    });

    it.each(['member', 'viewer'] as const)('refuses a %s with 403, changing nothing', async (role) => {
      const owner = await signUpOwner(sut.http);
      const caller = await addMember(sut.http, owner, role);
      const eventId = await insertEvent(sut.db, owner.organizationId);
      const endpoint = await insertEndpoint(sut.db, owner.organizationId);
      await insertDelivery(sut.db, owner.organizationId, eventId, endpoint, {
        status: 'failed',
        attempts: 8,
      });
      const before = await deliveryRowsOf(sut.db, owner.organizationId);

      expectProblem(await as(caller).post(`/v1/events/${eventId}/redeliver`), 403, 'insufficient_role');

      expect(await deliveryRowsOf(sut.db, owner.organizationId)).toEqual(before);
    });

    it('answers 404 for another organization’s event, changing nothing there', async () => {
      const owner = await signUpOwner(sut.http);
      const other = await signUpOwner(sut.http, 'Other');
      const theirEvent = await insertEvent(sut.db, other.organizationId);
      const theirEndpoint = await insertEndpoint(sut.db, other.organizationId);
      await insertDelivery(sut.db, other.organizationId, theirEvent, theirEndpoint, {
        status: 'failed',
        attempts: 8,
      });
      await insertEndpoint(sut.db, owner.organizationId);
      const before = await deliveryRowsOf(sut.db, other.organizationId);

      expectProblem(await as(owner).post(`/v1/events/${theirEvent}/redeliver`), 404, 'event_not_found');

      expect(await deliveryRowsOf(sut.db, other.organizationId)).toEqual(before);
      expect(await deliveryRowsOf(sut.db, owner.organizationId)).toEqual([]);
    });

    it('answers 404 for an event that never was, and 400 for an id that is not a UUID', async () => {
      const owner = await signUpOwner(sut.http);
      expectProblem(await as(owner).post(`/v1/events/${randomUUID()}/redeliver`), 404, 'event_not_found');
      expectProblem(await as(owner).post('/v1/events/nope/redeliver'), 400, 'validation_failed');
    });

    it('answers 401 without a token', async () => {
      expectProblem(await sut.http.post(`/v1/events/${randomUUID()}/redeliver`), 401, 'unauthorized');
    });
  });
});
