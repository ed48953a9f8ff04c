import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { newId } from '../../src/database/ids.js';
import { Transactions } from '../../src/database/transactions.js';
import { OverdueInvoices } from '../../src/invoices/overdue-invoices.js';
import type { NotificationResponseDto } from '../../src/notifications/dto/notification.dto.js';
import { type NotificationContent, Notifier } from '../../src/notifications/notifier.js';
import {
  type Account,
  actingAs,
  addMember,
  createInvoice,
  expectProblem,
  finalizeInvoice,
  type InvoiceBody,
  signUpOwner,
} from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const PAST_DUE = { issueDate: '2020-01-01', dueDate: '2020-01-31' };
const UNKNOWN_ID = '0190a3c1-0000-7000-8000-000000000000';

interface NotificationBody extends Omit<NotificationResponseDto, 'readAt' | 'createdAt'> {
  readAt: string | null;
  createdAt: string;
}

interface Team {
  owner: Account;
  admin: Account;
  member: Account;
  viewer: Account;
}

interface NotificationRow {
  organizationId: string;
  userId: string;
  type: string;
  message: string;
  data: Record<string, string>;
  readAt: Date | null;
}

describe('notifications', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp();
  });
  afterAll(() => sut.close());

  const as = (account: Account) => actingAs(sut.http, account);

  async function team(): Promise<Team> {
    const owner = await signUpOwner(sut.http);
    return {
      owner,
      admin: await addMember(sut.http, owner, 'admin'),
      member: await addMember(sut.http, owner, 'member'),
      viewer: await addMember(sut.http, owner, 'viewer'),
    };
  }

  const content = (message: string): NotificationContent => ({
    type: 'invoice.paid',
    message,
    data: { invoiceId: UNKNOWN_ID },
  });

  /** Notifies the organization's owners and admins once per message, one transaction each, in order. */
  async function notify(organizationId: string, ...messages: string[]): Promise<void> {
    for (const message of messages) {
      await sut.app
        .get(Transactions)
        .run((manager) => sut.app.get(Notifier).notifyManagers(manager, organizationId, content(message)));
    }
  }

  /** An open invoice past its due date, announced by the overdue job. */
  async function overdueInvoice(owner: Account): Promise<InvoiceBody> {
    const invoice = await finalizeInvoice(
      sut.http,
      owner,
      (await createInvoice(sut.http, owner, PAST_DUE)).id,
    );
    await sut.app.get(OverdueInvoices).announce();
    // Another spec's run may hold the row (its runs skip locked rows): wait until its transaction commits.
    for (let tries = 0; tries < 100; tries++) {
      const { rows } = await sut.db.query('SELECT overdue_at FROM invoices WHERE id = $1', [invoice.id]);
      if (rows[0].overdue_at !== null) return invoice;
      await sleep(50);
    }
    throw new Error(`Invoice ${invoice.id} was never announced`);
  }

  const list = async (account: Account, query = ''): Promise<NotificationBody[]> =>
    (await as(account).get(`/v1/notifications${query}`).expect(200)).body.data;

  const messages = async (account: Account, query = ''): Promise<string[]> =>
    (await list(account, query)).map((notification) => notification.message);

  async function rowsFor(userId: string): Promise<NotificationRow[]> {
    const { rows } = await sut.db.query<NotificationRow>(
      `SELECT organization_id AS "organizationId", user_id AS "userId", type, message, data, read_at AS "readAt"
         FROM notifications WHERE user_id = $1 ORDER BY id`,
      [userId],
    );
    return rows;
  }

  const countFor = async (organizationId: string): Promise<number> =>
    (
      await sut.db.query('SELECT count(*)::int AS count FROM notifications WHERE organization_id = $1', [
        organizationId,
      ])
    ).rows[0].count;

  describe('invoice.overdue', () => {
    it('notifies the owner and the admin once each; not the member, the viewer or another organization', async () => {
      const { owner, admin, member, viewer } = await team();
      const other = await signUpOwner(sut.http);
      const invoice = await overdueInvoice(owner);
      await sut.app.get(OverdueInvoices).announce();

      const expected = {
        id: expect.stringMatching(UUID_V7),
        type: 'invoice.overdue',
        message: `Invoice ${invoice.number} for Globex is overdue (due 2020-01-31)`,
        data: { invoiceId: invoice.id },
        read: false,
        readAt: null,
        createdAt: expect.stringMatching(ISO_UTC),
      };
      expect(await list(owner)).toEqual([expected]);
      expect(await list(admin)).toEqual([expected]);
      expect(await list(member)).toEqual([]);
      expect(await list(viewer)).toEqual([]);
      expect(await list(other)).toEqual([]);
      expect(await countFor(owner.organizationId)).toBe(2);
      expect(await countFor(other.organizationId)).toBe(0);
    });
  });

  describe('invoice.paid', () => {
    it('notifies the owner and the admin when a payment settles the invoice, not for a partial one', async () => {
      const { owner, admin, member } = await team();
      const invoice = await finalizeInvoice(sut.http, owner, (await createInvoice(sut.http, owner)).id);

      await as(member).post('/v1/payments', { invoiceId: invoice.id, amount: 1, method: 'cash' }).expect(201);
      expect(await list(owner)).toEqual([]);
      const rest = invoice.total - 1;
      await as(member)
        .post('/v1/payments', { invoiceId: invoice.id, amount: rest, method: 'cash' })
        .expect(201);

      const expected = [{ type: 'invoice.paid', message: `Invoice ${invoice.number} from Globex was paid` }];
      for (const manager of [owner, admin]) {
        expect((await list(manager)).map(({ type, message }) => ({ type, message }))).toEqual(expected);
      }
      expect(await list(member)).toEqual([]);
    });
  });

  describe('GET /v1/notifications', () => {
    /** Follows nextCursor from `path` until it is null (at most 10 pages). */
    async function walk(account: Account, path: string) {
      const pages: { data: NotificationBody[]; nextCursor: string | null }[] = [];
      let cursor: string | null = null;
      do {
        const url: string = cursor ? `${path}&cursor=${encodeURIComponent(cursor)}` : path;
        pages.push((await as(account).get(url).expect(200)).body);
        cursor = pages[pages.length - 1].nextCursor;
      } while (cursor !== null && pages.length < 10);
      return pages;
    }

    it('answers an empty page to someone never notified', async () => {
      const owner = await signUpOwner(sut.http);
      const response = await as(owner).get('/v1/notifications').expect(200);
      expect(response.body).toEqual({ data: [], nextCursor: null });
    });

    it('lists newest first and walks 5 notifications in pages of 2 without duplicates or gaps', async () => {
      const owner = await signUpOwner(sut.http);
      await notify(owner.organizationId, 'n0', 'n1', 'n2', 'n3', 'n4');

      const pages = await walk(owner, '/v1/notifications?limit=2');

      expect(pages.map((page) => page.data.length)).toEqual([2, 2, 1]);
      expect(pages.map((page) => page.nextCursor === null)).toEqual([false, false, true]);
      expect(pages.flatMap((page) => page.data.map((n) => n.message))).toEqual([
        'n4',
        'n3',
        'n2',
        'n1',
        'n0',
      ]);
    });

    it('filters with unread=true (unread only) and unread=false (read only); both without it', async () => {
      const owner = await signUpOwner(sut.http);
      await notify(owner.organizationId, 'first', 'second', 'third');
      const second = (await list(owner)).find((n) => n.message === 'second')!;
      await as(owner).post(`/v1/notifications/${second.id}/read`).expect(200);

      expect(await messages(owner, '?unread=true')).toEqual(['third', 'first']);
      expect(await messages(owner, '?unread=false')).toEqual(['second']);
      expect(await messages(owner)).toEqual(['third', 'second', 'first']);
    });

    it('pages within the unread filter', async () => {
      const owner = await signUpOwner(sut.http);
      await notify(owner.organizationId, 'a', 'b', 'c', 'd');
      const b = (await list(owner)).find((n) => n.message === 'b')!;
      await as(owner).post(`/v1/notifications/${b.id}/read`).expect(200);

      const pages = await walk(owner, '/v1/notifications?unread=true&limit=2');

      expect(pages.map((page) => page.data.map((n) => n.message))).toEqual([['d', 'c'], ['a']]);
    });

    it.each(['limit=0', 'limit=101', 'limit=abc', 'unread=yes', 'unread=1', 'sort=id'])(
      'answers 400 validation_failed for ?%s',
      async (query) => {
        const owner = await signUpOwner(sut.http);
        expectProblem(await as(owner).get(`/v1/notifications?${query}`), 400, 'validation_failed');
      },
    );

    it('answers 400 invalid_cursor for a cursor it did not issue', async () => {
      const owner = await signUpOwner(sut.http);
      const cursor = Buffer.from('not-a-uuid').toString('base64url');
      expectProblem(await as(owner).get(`/v1/notifications?cursor=${cursor}`), 400, 'invalid_cursor');
    });

    it('answers 401 unauthorized without a token', async () => {
      expectProblem(await sut.http.get('/v1/notifications'), 401, 'unauthorized');
    });
  });

  describe('POST /v1/notifications/:id/read', () => {
    it('marks it read: read true and readAt set, in the answer and in the list', async () => {
      const owner = await signUpOwner(sut.http);
      await notify(owner.organizationId, 'Invoice INV-000001 from Globex was paid');
      const [notification] = await list(owner);

      const response = await as(owner).post(`/v1/notifications/${notification.id}/read`).expect(200);

      expect(response.body).toEqual({ ...notification, read: true, readAt: expect.stringMatching(ISO_UTC) });
      expect(await list(owner)).toEqual([response.body]);
    });

    it('is idempotent: reading it again answers 200 with the first readAt', async () => {
      const owner = await signUpOwner(sut.http);
      await notify(owner.organizationId, 'once');
      const [notification] = await list(owner);
      const first = (await as(owner).post(`/v1/notifications/${notification.id}/read`).expect(200)).body;
      await sleep(20);

      const second = (await as(owner).post(`/v1/notifications/${notification.id}/read`).expect(200)).body;

      expect(second).toEqual(first);
    });

    it('lets a viewer list and read their own notification', async () => {
      const { owner, viewer } = await team();
      const id = newId();
      await sut.db.query(
        `INSERT INTO notifications (id, organization_id, user_id, type, message, data)
         VALUES ($1, $2, $3, 'webhook_endpoint.disabled', 'For the viewer', '{}')`,
        [id, owner.organizationId, viewer.userId],
      );

      expect(await messages(viewer)).toEqual(['For the viewer']);
      const response = await as(viewer).post(`/v1/notifications/${id}/read`).expect(200);
      expect(response.body).toMatchObject({ id, read: true, readAt: expect.stringMatching(ISO_UTC) });
    });

    it('answers 404 notification_not_found for someone else’s, in the same or another organization, and leaves it unread', async () => {
      const { owner, admin, member } = await team();
      const stranger = await signUpOwner(sut.http);
      await notify(owner.organizationId, 'for the managers');
      const [adminsOwn] = await list(admin);

      for (const caller of [owner, member, stranger]) {
        const response = await as(caller).post(`/v1/notifications/${adminsOwn.id}/read`);
        expectProblem(response, 404, 'notification_not_found');
      }
      expect(await list(admin)).toEqual([adminsOwn]);
      expect((await rowsFor(admin.userId))[0].readAt).toBeNull();
    });

    it('answers 404 notification_not_found for an id that does not exist', async () => {
      const owner = await signUpOwner(sut.http);
      const response = await as(owner).post(`/v1/notifications/${UNKNOWN_ID}/read`);
      expectProblem(response, 404, 'notification_not_found');
    });

    it('answers 400 validation_failed for an id that is not a UUID', async () => {
      const owner = await signUpOwner(sut.http);
      const response = await as(owner).post('/v1/notifications/not-a-uuid/read');
      expectProblem(response, 400, 'validation_failed');
      expect(response.body.errors).toEqual([{ field: 'id', message: expect.any(String) }]);
    });

    it('answers 401 unauthorized without a token', async () => {
      expectProblem(await sut.http.post(`/v1/notifications/${UNKNOWN_ID}/read`), 401, 'unauthorized');
    });
  });

  describe('POST /v1/notifications/read-all', () => {
    it('marks every unread one read and counts them; then the unread list is empty', async () => {
      const owner = await signUpOwner(sut.http);
      await notify(owner.organizationId, 'a', 'b', 'c');
      const [c] = await list(owner);
      const readEarlier = (await as(owner).post(`/v1/notifications/${c.id}/read`).expect(200)).body;

      const response = await as(owner).post('/v1/notifications/read-all').expect(200);

      expect(response.body).toEqual({ updated: 2 });
      expect(await list(owner, '?unread=true')).toEqual([]);
      const all = await list(owner);
      expect(all.map((n) => [n.message, n.read])).toEqual([
        ['c', true],
        ['b', true],
        ['a', true],
      ]);
      expect(all[0].readAt).toBe(readEarlier.readAt);
    });

    it('answers { updated: 0 } when nothing is unread', async () => {
      const owner = await signUpOwner(sut.http);
      await notify(owner.organizationId, 'a');
      await as(owner).post('/v1/notifications/read-all').expect(200);

      const response = await as(owner).post('/v1/notifications/read-all').expect(200);

      expect(response.body).toEqual({ updated: 0 });
    });

    it('leaves other people’s notifications unread', async () => {
      const { owner, admin } = await team();
      const stranger = await signUpOwner(sut.http);
      await notify(owner.organizationId, 'a');
      await notify(stranger.organizationId, 'b');

      await as(owner).post('/v1/notifications/read-all').expect(200);

      expect(await messages(admin, '?unread=true')).toEqual(['a']);
      expect(await messages(stranger, '?unread=true')).toEqual(['b']);
    });

    it('replays its answer for a repeated Idempotency-Key', async () => {
      const owner = await signUpOwner(sut.http);
      await notify(owner.organizationId, 'a', 'b');
      const send = () =>
        as(owner).post('/v1/notifications/read-all').set('Idempotency-Key', `read-all-${owner.userId}`);
      const first = await send().expect(200);
      await notify(owner.organizationId, 'c');

      const second = await send().expect(200);

      expect(first.body).toEqual({ updated: 2 });
      expect(second.body).toEqual({ updated: 2 });
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(await messages(owner, '?unread=true')).toEqual(['c']);
    });

    it('answers 401 unauthorized without a token', async () => {
      expectProblem(await sut.http.post('/v1/notifications/read-all'), 401, 'unauthorized');
    });
  });

  describe('Notifier.notifyManagers', () => {
    const notifyInTransaction = (organizationId: string, notification: NotificationContent) =>
      sut.app
        .get(Transactions)
        .run((manager) => sut.app.get(Notifier).notifyManagers(manager, organizationId, notification));

    it('writes one row for each owner and admin, none for members and viewers, and counts them', async () => {
      const { owner, admin, member, viewer } = await team();
      const secondOwner = await addMember(sut.http, owner, 'owner');
      const notification: NotificationContent = {
        type: 'payment.failed',
        message: 'A payment of 19.99 USD from Globex failed',
        data: { invoiceId: UNKNOWN_ID, paymentId: UNKNOWN_ID },
      };

      expect(await notifyInTransaction(owner.organizationId, notification)).toBe(3);

      for (const manager of [owner, secondOwner, admin]) {
        expect(await rowsFor(manager.userId)).toEqual([
          { organizationId: owner.organizationId, userId: manager.userId, readAt: null, ...notification },
        ]);
      }
      expect(await rowsFor(member.userId)).toEqual([]);
      expect(await rowsFor(viewer.userId)).toEqual([]);
    });

    it('gives each row its own UUIDv7, later calls sorting after earlier ones', async () => {
      const owner = await signUpOwner(sut.http);
      const admin = await addMember(sut.http, owner, 'admin');
      await notify(owner.organizationId, 'first', 'second');

      const { rows } = await sut.db.query<{ id: string; message: string }>(
        'SELECT id, message FROM notifications WHERE organization_id = $1 ORDER BY id',
        [owner.organizationId],
      );

      expect(rows.map((row) => row.id)).toEqual(Array(4).fill(expect.stringMatching(UUID_V7)));
      expect(new Set(rows.map((row) => row.id)).size).toBe(4);
      expect(rows.map((row) => row.message)).toEqual(['first', 'first', 'second', 'second']);
      expect(await messages(admin)).toEqual(['second', 'first']);
    });

    it('touches only the given organization', async () => {
      const owner = await signUpOwner(sut.http);
      const other = await signUpOwner(sut.http);

      expect(await notifyInTransaction(owner.organizationId, content('mine'))).toBe(1);

      expect(await countFor(other.organizationId)).toBe(0);
    });

    it('writes nothing when the caller’s transaction rolls back', async () => {
      const owner = await signUpOwner(sut.http);

      const run = sut.app.get(Transactions).run(async (manager) => {
        await sut.app.get(Notifier).notifyManagers(manager, owner.organizationId, content('rolled back'));
        throw new Error('the change failed');
      });

      await expect(run).rejects.toThrow('the change failed');
      expect(await countFor(owner.organizationId)).toBe(0);
    });

    it('refuses to run outside a transaction', async () => {
      const owner = await signUpOwner(sut.http);
      const manager = sut.app.get(DataSource).manager;

      const call = sut.app.get(Notifier).notifyManagers(manager, owner.organizationId, content('no'));

      await expect(call).rejects.toThrow('outside a transaction');
      expect(await countFor(owner.organizationId)).toBe(0);
    });

    it('loses a removed member’s notifications with them', async () => {
      const { owner, admin } = await team();
      await notify(owner.organizationId, 'a');

      await as(owner).delete(`/v1/members/${admin.userId}`).expect(204);

      expect(await rowsFor(admin.userId)).toEqual([]);
      expect(await rowsFor(owner.userId)).toHaveLength(1);
    });
  });
});
