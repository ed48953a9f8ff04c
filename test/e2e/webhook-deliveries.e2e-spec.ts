import { randomUUID } from 'node:crypto';
import { type Account, actingAs, addMember, expectProblem, signUpOwner } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import {
  deliveryRowsOf,
  expectDueAgain,
  insertAttempt,
  insertDelivery,
  insertEndpoint,
  insertEvent,
} from '../support/webhook-rows.js';

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const DAY = 86_400_000;

interface DeliveryBody {
  id: string;
  eventId: string;
  eventType: string;
  status: string;
  attempts: number;
  attemptLog: Record<string, unknown>[];
}

describe('webhook deliveries', () => {
  let sut: TestApp;

  // The api role: no dispatcher of its own sends the deliveries these tests make due.
  beforeAll(async () => {
    sut = await startTestApp({ APP_ROLE: 'api' });
  });
  afterAll(() => sut.close());

  const as = (account: Account) => actingAs(sut.http, account);

  /** A delivery of a new event of `type` to `endpointId`. */
  async function delivery(
    account: Account,
    endpointId: string,
    fields: {
      type?: string;
      daysAgo?: number;
      status?: 'pending' | 'succeeded' | 'failed';
      attempts?: number;
    } = {},
  ): Promise<{ eventId: string; deliveryId: string }> {
    const eventId = await insertEvent(sut.db, account.organizationId, {
      type: fields.type,
      daysAgo: fields.daysAgo,
    });
    const deliveryId = await insertDelivery(sut.db, account.organizationId, eventId, endpointId, {
      status: fields.status ?? 'failed',
      attempts: fields.attempts ?? 0,
    });
    return { eventId, deliveryId };
  }

  async function listAll(
    account: Account,
    endpointId: string,
    query: string,
  ): Promise<{ ids: string[]; pages: number }> {
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const suffix: string = cursor ? `&cursor=${cursor}` : '';
      const body: { data: DeliveryBody[]; nextCursor: string | null } = (
        await as(account).get(`/v1/webhook-endpoints/${endpointId}/deliveries?${query}${suffix}`).expect(200)
      ).body;
      ids.push(...body.data.map((row) => row.id));
      cursor = body.nextCursor;
      pages += 1;
    } while (cursor);
    return { ids, pages };
  }

  describe('GET /v1/webhook-endpoints/:id/deliveries', () => {
    it('answers each delivery with its event type and every attempt, in order', async () => {
      const owner = await signUpOwner(sut.http);
      const admin = await addMember(sut.http, owner, 'admin');
      const org = owner.organizationId;
      const endpoint = await insertEndpoint(sut.db, org);
      const { eventId, deliveryId } = await delivery(owner, endpoint, {
        type: 'invoice.paid',
        status: 'pending',
        attempts: 2,
      });
      const retryAt = new Date(Date.now() + 300_000);
      await insertAttempt(sut.db, org, deliveryId, {
        attempt: 2,
        statusCode: null,
        durationMs: 15_000,
        error: 'timeout after 15 s',
        nextAttemptAt: retryAt,
      });
      await insertAttempt(sut.db, org, deliveryId, {
        attempt: 1,
        statusCode: 503,
        durationMs: 120,
        responseExcerpt: 'Service Unavailable',
        nextAttemptAt: new Date(Date.now() - 1000),
      });

      const response = await as(admin).get(`/v1/webhook-endpoints/${endpoint}/deliveries`).expect(200);

      expect(response.body).toEqual({
        data: [
          {
            id: deliveryId,
            eventId,
            eventType: 'invoice.paid',
            // Written here straight into the outbox, by no request.
            requestId: null,
            status: 'pending',
            attempts: 2,
            nextAttemptAt: null,
            lastAttemptAt: null,
            createdAt: expect.stringMatching(ISO_UTC),
            attemptLog: [
              {
                attempt: 1,
                statusCode: 503,
                durationMs: 120,
                responseExcerpt: 'Service Unavailable',
                error: null,
                createdAt: expect.stringMatching(ISO_UTC),
                nextAttemptAt: expect.stringMatching(ISO_UTC),
              },
              {
                attempt: 2,
                statusCode: null,
                durationMs: 15_000,
                responseExcerpt: null,
                error: 'timeout after 15 s',
                createdAt: expect.stringMatching(ISO_UTC),
                nextAttemptAt: retryAt.toISOString(),
              },
            ],
          },
        ],
        nextCursor: null,
      });
    });

    it('lists only this endpoint’s deliveries, newest first, and pages through them', async () => {
      const owner = await signUpOwner(sut.http);
      const endpoint = await insertEndpoint(sut.db, owner.organizationId);
      const otherEndpoint = await insertEndpoint(sut.db, owner.organizationId);
      const mine: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        mine.unshift((await delivery(owner, endpoint)).deliveryId);
        await delivery(owner, otherEndpoint);
      }

      const { ids, pages } = await listAll(owner, endpoint, 'limit=2');

      expect(ids).toEqual(mine);
      expect(pages).toBe(3);
    });

    it('filters by status', async () => {
      const owner = await signUpOwner(sut.http);
      const endpoint = await insertEndpoint(sut.db, owner.organizationId);
      const failed = (await delivery(owner, endpoint, { status: 'failed' })).deliveryId;
      await delivery(owner, endpoint, { status: 'succeeded' });
      await delivery(owner, endpoint, { status: 'pending' });

      const response = await as(owner)
        .get(`/v1/webhook-endpoints/${endpoint}/deliveries?status=failed`)
        .expect(200);

      expect(response.body.data.map((row: DeliveryBody) => [row.id, row.status])).toEqual([
        [failed, 'failed'],
      ]);
    });

    it.each(['member', 'viewer'] as const)('refuses a %s with 403', async (role) => {
      const owner = await signUpOwner(sut.http);
      const caller = await addMember(sut.http, owner, role);
      const endpoint = await insertEndpoint(sut.db, owner.organizationId);

      expectProblem(
        await as(caller).get(`/v1/webhook-endpoints/${endpoint}/deliveries`),
        403,
        'insufficient_role',
      );
    });

    it('answers 404 webhook_endpoint_not_found for another organization’s endpoint and one that never was', async () => {
      const owner = await signUpOwner(sut.http);
      const other = await signUpOwner(sut.http, 'Other');
      const theirs = await insertEndpoint(sut.db, other.organizationId);
      await delivery(other, theirs);

      for (const id of [theirs, randomUUID()]) {
        expectProblem(
          await as(owner).get(`/v1/webhook-endpoints/${id}/deliveries`),
          404,
          'webhook_endpoint_not_found',
        );
      }
    });

    it.each([
      ['an unknown status', 'status=bounced'],
      ['limit 0', 'limit=0'],
      ['limit 101', 'limit=101'],
      ['an unknown parameter', 'type=invoice.paid'],
    ])('answers 400 validation_failed to %s', async (_case, query) => {
      const owner = await signUpOwner(sut.http);
      const endpoint = await insertEndpoint(sut.db, owner.organizationId);
      expectProblem(
        await as(owner).get(`/v1/webhook-endpoints/${endpoint}/deliveries?${query}`),
        400,
        'validation_failed',
      );
    });

    it('answers 400 to a bad cursor and to an id that is not a UUID, 401 without a token', async () => {
      const owner = await signUpOwner(sut.http);
      const endpoint = await insertEndpoint(sut.db, owner.organizationId);

      expectProblem(
        await as(owner).get(`/v1/webhook-endpoints/${endpoint}/deliveries?cursor=zzz`),
        400,
        'invalid_cursor',
      );
      expectProblem(await as(owner).get('/v1/webhook-endpoints/1/deliveries'), 400, 'validation_failed');
      expectProblem(await sut.http.get(`/v1/webhook-endpoints/${endpoint}/deliveries`), 401, 'unauthorized');
    });
  });

  describe('POST /v1/webhook-endpoints/:id/replay', () => {
    it('makes pending, due now, only the failed deliveries of this endpoint whose event is since then', async () => {
      const owner = await signUpOwner(sut.http);
      const admin = await addMember(sut.http, owner, 'admin');
      const org = owner.organizationId;
      const endpoint = await insertEndpoint(sut.db, org);
      const otherEndpoint = await insertEndpoint(sut.db, org);
      const recentFailed = await delivery(owner, endpoint, { daysAgo: 1, status: 'failed', attempts: 8 });
      const todayFailed = await delivery(owner, endpoint, { daysAgo: 0, status: 'failed', attempts: 8 });
      const oldFailed = await delivery(owner, endpoint, { daysAgo: 3, status: 'failed', attempts: 8 });
      const recentSucceeded = await delivery(owner, endpoint, {
        daysAgo: 1,
        status: 'succeeded',
        attempts: 1,
      });
      const recentPending = await delivery(owner, endpoint, { daysAgo: 1, status: 'pending', attempts: 2 });
      const otherFailed = await delivery(owner, otherEndpoint, { daysAgo: 1, status: 'failed', attempts: 8 });
      const before = new Map((await deliveryRowsOf(sut.db, org)).map((row) => [row.id, row]));
      const requestedAt = Date.now();

      const response = await as(admin)
        .post(`/v1/webhook-endpoints/${endpoint}/replay`, {
          since: new Date(requestedAt - 2 * DAY).toISOString(),
        })
        .expect(202);

      expect(response.body).toEqual({ replayed: 2 });
      const after = new Map((await deliveryRowsOf(sut.db, org)).map((row) => [row.id, row]));
      for (const replayed of [recentFailed, todayFailed]) {
        await expectDueAgain(sut.db, replayed.deliveryId, 8, requestedAt);
      }
      for (const untouched of [oldFailed, recentSucceeded, recentPending, otherFailed]) {
        expect(after.get(untouched.deliveryId)).toEqual(before.get(untouched.deliveryId));
      }
    });

    it('answers { replayed: 0 } when nothing failed since then', async () => {
      const owner = await signUpOwner(sut.http);
      const endpoint = await insertEndpoint(sut.db, owner.organizationId);
      await delivery(owner, endpoint, { daysAgo: 5, status: 'failed' });

      const response = await as(owner)
        .post(`/v1/webhook-endpoints/${endpoint}/replay`, { since: new Date(Date.now() - DAY).toISOString() })
        .expect(202);

      expect(response.body).toEqual({ replayed: 0 });
    });

    it('accepts a since of exactly 30 days back (less a minute)', async () => {
      const owner = await signUpOwner(sut.http);
      const endpoint = await insertEndpoint(sut.db, owner.organizationId);
      await delivery(owner, endpoint, { daysAgo: 29, status: 'failed' });

      const response = await as(owner)
        .post(`/v1/webhook-endpoints/${endpoint}/replay`, {
          since: new Date(Date.now() - 30 * DAY + 60_000).toISOString(),
        })
        .expect(202);

      expect(response.body).toEqual({ replayed: 1 });
    });

    it.each<[string, object]>([
      ['a since in the future', { since: new Date(Date.now() + DAY).toISOString() }],
      ['a since more than 30 days back', { since: new Date(Date.now() - 31 * DAY).toISOString() }],
      ['no since', {}],
      ['a since that is not a timestamp', { since: 'yesterday' }],
      ['a since that is a number', { since: 1700000000 }],
      ['an impossible date', { since: '2026-02-30T00:00:00Z' }],
      ['an unknown field', { since: new Date().toISOString(), status: 'failed' }],
    ])('answers 400 validation_failed to %s, changing nothing', async (_case, body) => {
      const owner = await signUpOwner(sut.http);
      const endpoint = await insertEndpoint(sut.db, owner.organizationId);
      await delivery(owner, endpoint, { status: 'failed' });
      const before = await deliveryRowsOf(sut.db, owner.organizationId);

      const response = await as(owner).post(`/v1/webhook-endpoints/${endpoint}/replay`, body);

      expectProblem(response, 400, 'validation_failed');
      expect(await deliveryRowsOf(sut.db, owner.organizationId)).toEqual(before);
    });

    it.each(['member', 'viewer'] as const)('refuses a %s with 403, changing nothing', async (role) => {
      const owner = await signUpOwner(sut.http);
      const caller = await addMember(sut.http, owner, role);
      const endpoint = await insertEndpoint(sut.db, owner.organizationId);
      await delivery(owner, endpoint, { status: 'failed' });
      const before = await deliveryRowsOf(sut.db, owner.organizationId);

      expectProblem(
        await as(caller).post(`/v1/webhook-endpoints/${endpoint}/replay`, {
          since: new Date().toISOString(),
        }),
        403,
        'insufficient_role',
      );
      expect(await deliveryRowsOf(sut.db, owner.organizationId)).toEqual(before);
    });

    it('answers 404 for another organization’s endpoint, changing nothing there', async () => {
      const owner = await signUpOwner(sut.http);
      const other = await signUpOwner(sut.http, 'Other');
      const theirs = await insertEndpoint(sut.db, other.organizationId);
      await delivery(other, theirs, { status: 'failed' });
      const before = await deliveryRowsOf(sut.db, other.organizationId);

      for (const id of [theirs, randomUUID()]) {
        expectProblem(
          await as(owner).post(`/v1/webhook-endpoints/${id}/replay`, {
            since: new Date(Date.now() - DAY).toISOString(),
          }),
          404,
          'webhook_endpoint_not_found',
        );
      }
      expect(await deliveryRowsOf(sut.db, other.organizationId)).toEqual(before);
    });

    it('answers 400 to an id that is not a UUID and 401 without a token', async () => {
      const owner = await signUpOwner(sut.http);
      const since = new Date().toISOString();
      expectProblem(
        await as(owner).post('/v1/webhook-endpoints/x/replay', { since }),
        400,
        'validation_failed',
      );
      expectProblem(
        await sut.http.post(`/v1/webhook-endpoints/${randomUUID()}/replay`).send({ since }),
        401,
        'unauthorized',
      );
    });
  });
});
