import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { type Account, actingAs, createCustomer, lineItem, signUpOwner } from '../support/factories.js';
import { createPrivateDatabase, type PrivateDatabase, startAppOn } from '../support/private-database.js';
import { type Child, freePort, startRedisServer } from '../support/processes.js';
import { type Received, Receiver } from '../support/webhook-receiver.js';
import {
  checkLedger,
  formatLedger,
  idempotencyTag,
  type LedgerOptions,
  newIdempotencyKey,
} from './ledger.js';

/**
 * The ledger's own proof: on a database the real app filled with every kind of change (and a receiver that got
 * every webhook), the ledger is clean; then each kind of violation is planted in a transaction that is rolled
 * back afterwards, and the ledger must name it. A ledger that cannot fail proves nothing.
 */
describe('the ledger check', () => {
  let database: PrivateDatabase;
  let redis: Child;
  let receiver: Receiver;
  let db: pg.Client;
  // What the app made, by role in the story below.
  const made = {} as {
    owner: Account;
    otherOrganizationId: string;
    endpointId: string;
    customerId: string;
    customerKey: string;
    draftId: string;
    paidInvoiceId: string;
    fullPaymentId: string;
    refundedInvoiceId: string;
    refundedPaymentId: string;
    voidInvoiceId: string;
    uncollectibleInvoiceId: string;
  };

  beforeAll(async () => {
    const redisPort = await freePort();
    redis = await startRedisServer(redisPort);
    database = await createPrivateDatabase('ledger');
    receiver = await new Receiver().start();
    const sut = await startAppOn(database, {
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
    });
    try {
      await tellTheStory(sut.http);
      // Everything delivered before the app stops: the ledger waits for it.
      const clean = await checkLedger(sut.db, { receivers: receivers() });
      process.stdout.write(`${formatLedger('ledger proof baseline', clean.counts)}\n`);
      expect(clean.violations).toEqual([]);
    } finally {
      await sut.close();
    }
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
  }, 60_000);

  afterAll(async () => {
    await db?.end();
    await receiver?.close();
    await redis?.stop();
    await database?.drop();
  }, 30_000);

  /** Every kind of change the rules look at, through the API, each POST with a tagged Idempotency-Key. */
  async function tellTheStory(http: Parameters<typeof signUpOwner>[0]) {
    const owner = await signUpOwner(http);
    const as = actingAs(http, owner);
    made.owner = owner;
    made.otherOrganizationId = (await signUpOwner(http, 'Other')).organizationId;
    const endpoint = await as.post('/v1/webhook-endpoints', { url: receiver.url, events: ['*'] }).expect(201);
    receiver.secret = endpoint.body.secret;
    made.endpointId = endpoint.body.id;

    const keyed = async (path: string, body: (key: string) => object, status = 201) => {
      const key = newIdempotencyKey();
      const response = await http
        .post(path)
        .set('Authorization', owner.bearer)
        .set('Idempotency-Key', key)
        .send(body(key))
        .expect(status);
      return { key, body: response.body as { id: string } };
    };
    const customer = await keyed('/v1/customers', (key) => ({
      name: 'Globex',
      email: 'ap@globex.test',
      metadata: idempotencyTag(key),
    }));
    made.customerId = customer.body.id;
    made.customerKey = customer.key;
    const gone = await createCustomer(http, owner);
    await as.delete(`/v1/customers/${gone.id}`).expect(204);
    await as.patch(`/v1/customers/${made.customerId}`, { name: 'Globex Corp' }).expect(200);

    const invoice = async () =>
      (
        await keyed('/v1/invoices', (key) => ({
          customerId: made.customerId,
          lineItems: [lineItem()],
          metadata: idempotencyTag(key),
        }))
      ).body.id;
    const issued = async () => {
      const id = await invoice();
      await keyed(`/v1/invoices/${id}/finalize`, () => ({}), 200);
      return id;
    };
    const pay = async (invoiceId: string, amount: number) =>
      (
        await keyed('/v1/payments', (key) => ({
          invoiceId,
          amount,
          method: 'bank_transfer',
          reference: key,
        }))
      ).body.id;

    made.draftId = await invoice();
    made.paidInvoiceId = await issued();
    await pay(made.paidInvoiceId, 4000);
    made.fullPaymentId = await pay(made.paidInvoiceId, 6000);
    await as.post(`/v1/invoices/${made.paidInvoiceId}/send`).expect(200);
    made.refundedInvoiceId = await issued();
    made.refundedPaymentId = await pay(made.refundedInvoiceId, 10000);
    await keyed(`/v1/payments/${made.refundedPaymentId}/refunds`, (key) => ({ amount: 2500, reason: key }));
    made.voidInvoiceId = await issued();
    await as.post(`/v1/invoices/${made.voidInvoiceId}/void`).expect(200);
    made.uncollectibleInvoiceId = await issued();
    await as.post(`/v1/invoices/${made.uncollectibleInvoiceId}/mark-uncollectible`).expect(200);
    await as.post(`/v1/webhook-endpoints/${made.endpointId}/test`).expect(202);
  }

  const receivers = (received: readonly Pick<Received, 'webhookId' | 'verified'>[] = receiver.received) => [
    { endpointId: made.endpointId, received },
  ];

  /** The ledger's violations with `plant` applied to the database, rolled back afterwards. */
  async function violationsWith(plant: (db: pg.Client) => Promise<unknown>, options: LedgerOptions = {}) {
    await db.query('BEGIN');
    try {
      await plant(db);
      return (await checkLedger(db, { receivers: receivers(), settleTimeoutMs: 0, ...options })).violations;
    } finally {
      await db.query('ROLLBACK');
    }
  }

  const eventOf = async (type: string, objectId: string) =>
    (
      await db.query<{ id: string }>(`SELECT id FROM events WHERE type = $1 AND data->>'id' = $2`, [
        type,
        objectId,
      ])
    ).rows[0].id;
  const dropEvent = async (type: string, objectId: string) =>
    db.query(`DELETE FROM events WHERE id = $1`, [await eventOf(type, objectId)]);

  it('is clean on what the app did, and counts it', async () => {
    const { violations, counts } = await checkLedger(db, { receivers: receivers() });

    expect(violations).toEqual([]);
    expect(counts).toEqual({
      events: expect.any(Number),
      eventsDelivered: counts.events,
      deliveries: { succeeded: counts.events, failed: 0, pending: 0 },
      received: { requests: counts.events, webhookIds: counts.events, duplicates: 0 },
      idempotency: { keys: 14, taggedEffects: 10 },
      pdfs: { ready: 0, failed: 0, pending: 4 },
    });
    expect(counts.events).toBeGreaterThan(20);
  });

  it('counts a webhook received twice as a duplicate, not as a violation', async () => {
    const again = [...receiver.received, receiver.received[0]];
    const { violations, counts } = await checkLedger(db, { receivers: receivers(again) });

    expect(violations).toEqual([]);
    expect(counts.received).toMatchObject({ requests: again.length, duplicates: 1 });
  });

  describe('names every kind of violation', () => {
    const sql =
      (text: string, ...parameters: unknown[]) =>
      () =>
        db.query(text, parameters);
    const customerCreated = () => eventOf('customer.created', made.customerId);
    const keyId = () => `${made.owner.organizationId}/${made.customerKey}`;
    const planted = randomUUID();
    // [what is planted, how, a part of the violation the ledger must report, ledger options]
    const cases: [string, () => Promise<unknown>, () => string, (() => LedgerOptions)?][] = [
      [
        'a customer without customer.created',
        () => dropEvent('customer.created', made.customerId),
        () => `customer ${made.customerId} has 0 customer.created event(s), expected exactly one`,
      ],
      [
        'a change announced twice',
        async () =>
          db.query(
            `INSERT INTO events (id, organization_id, type, data, relayed_at)
             SELECT $2, organization_id, type, data, relayed_at FROM events WHERE id = $1`,
            [await customerCreated(), planted],
          ),
        () => `customer ${made.customerId} has 2 customer.created event(s), expected exactly one`,
      ],
      [
        'an issued invoice without invoice.finalized',
        () => dropEvent('invoice.finalized', made.paidInvoiceId),
        () => `issued invoice ${made.paidInvoiceId} has 0 invoice.finalized event(s), expected exactly one`,
      ],
      [
        'a draft announced as finalized',
        async () =>
          db.query(
            `INSERT INTO events (id, organization_id, type, data, relayed_at)
             SELECT $2, organization_id, type, jsonb_set(data, '{id}', to_jsonb($3::text)), relayed_at
               FROM events WHERE id = $1`,
            [await eventOf('invoice.finalized', made.paidInvoiceId), planted, made.draftId],
          ),
        () => `draft ${made.draftId} has 1 invoice.finalized event(s), expected none`,
      ],
      [
        'a paid invoice without invoice.paid',
        () => dropEvent('invoice.paid', made.paidInvoiceId),
        () => `paid invoice ${made.paidInvoiceId} has 0 invoice.paid event(s), expected at least one`,
      ],
      [
        'a sent invoice without invoice.sent',
        () => dropEvent('invoice.sent', made.paidInvoiceId),
        () => `sent invoice ${made.paidInvoiceId} has 0 invoice.sent event(s), expected at least one`,
      ],
      [
        'a void invoice without invoice.voided',
        () => dropEvent('invoice.voided', made.voidInvoiceId),
        () => `void invoice ${made.voidInvoiceId} has 0 invoice.voided event(s), expected exactly one`,
      ],
      [
        'an uncollectible invoice without invoice.marked_uncollectible',
        () => dropEvent('invoice.marked_uncollectible', made.uncollectibleInvoiceId),
        () =>
          `uncollectible invoice ${made.uncollectibleInvoiceId} has 0 invoice.marked_uncollectible event(s), expected exactly one`,
      ],
      [
        'a PDF recorded ready without invoice.pdf_ready',
        () =>
          sql(
            `UPDATE invoices SET pdf_status = 'ready', pdf_sha256 = 'planted' WHERE id = $1`,
            made.voidInvoiceId,
          )(),
        () => `invoice with a rendered PDF ${made.voidInvoiceId} has 0 invoice.pdf_ready event(s)`,
      ],
      [
        'a PDF recorded failed without invoice.pdf_failed',
        () => sql(`UPDATE invoices SET pdf_status = 'failed' WHERE id = $1`, made.voidInvoiceId)(),
        () => `invoice whose PDF failed ${made.voidInvoiceId} has 0 invoice.pdf_failed event(s)`,
      ],
      [
        'a payment without payment.succeeded',
        () => dropEvent('payment.succeeded', made.fullPaymentId),
        () => `payment received ${made.fullPaymentId} has 0 payment.succeeded event(s), expected exactly one`,
      ],
      [
        'a refund without payment.refunded',
        () => dropEvent('payment.refunded', made.refundedPaymentId),
        () => `payment ${made.refundedPaymentId} has 1 refund(s) and 0 payment.refunded event(s)`,
      ],
      [
        'an event about a change that never committed',
        () =>
          sql(
            `INSERT INTO events (id, organization_id, type, data, relayed_at)
             VALUES ($1, $2, 'invoice.voided', jsonb_build_object('id', $3::text), now())`,
            planted,
            made.owner.organizationId,
            planted,
          )(),
        () =>
          `event ${planted} (invoice.voided) is about invoice ${planted}, which its organization does not have`,
      ],
      [
        "an event in another organization than its object's",
        async () =>
          db.query(`UPDATE events SET organization_id = $2 WHERE id = $1`, [
            await customerCreated(),
            made.otherOrganizationId,
          ]),
        () => `(customer.created) is about customer ${made.customerId}, which its organization does not have`,
      ],
      [
        'a change written without its event',
        () =>
          sql(
            `UPDATE customers SET name = 'Changed quietly', updated_at = updated_at + interval '1 second' WHERE id = $1`,
            made.customerId,
          )(),
        () => `customer ${made.customerId} changed at`,
      ],
      [
        'an event never relayed',
        async () => db.query(`UPDATE events SET relayed_at = NULL WHERE id = $1`, [await customerCreated()]),
        () => `(customer.created) was never relayed`,
      ],
      [
        'an event owed to a subscribed endpoint and never delivered',
        async () => db.query(`DELETE FROM webhook_deliveries WHERE event_id = $1`, [await customerCreated()]),
        () => `(customer.created) has no delivery to endpoint ${made.endpointId}, which subscribes to it`,
      ],
      [
        'a delivery that never ends',
        async () =>
          db.query(`UPDATE webhook_deliveries SET status = 'pending' WHERE event_id = $1`, [
            await customerCreated(),
          ]),
        () => `(customer.created) to endpoint ${made.endpointId} is still pending after 1 attempt(s)`,
      ],
      [
        'a delivery recorded succeeded that the receiver never got',
        () => Promise.resolve(),
        () => `to endpoint ${made.endpointId} succeeded but was never received`,
        () => ({ receivers: receivers([]) }),
      ],
      [
        'a webhook received that was never owed',
        () => Promise.resolve(),
        () => `endpoint ${made.endpointId} received webhook-id ${planted}, which it was never owed`,
        () => ({ receivers: receivers([...receiver.received, { webhookId: planted, verified: true }]) }),
      ],
      [
        'a webhook whose signature does not verify',
        () => Promise.resolve(),
        () => `endpoint ${made.endpointId} received 1 request(s) whose signature does not verify`,
        () => ({
          receivers: receivers(receiver.received.map((request, i) => ({ ...request, verified: i > 0 }))),
        }),
      ],
      [
        'an invoice paid more than its total',
        async () => {
          await dropChecks('invoices');
          await db.query(`UPDATE invoices SET amount_paid = total + 100, amount_due = 0 WHERE id = $1`, [
            made.paidInvoiceId,
          ]);
        },
        () => `invoice ${made.paidInvoiceId} is paid 10100 of its total 10000`,
      ],
      [
        'an amount paid that is not the payments less the refunds',
        () =>
          sql(
            `UPDATE invoices SET amount_paid = amount_paid - 1, amount_due = amount_due + 1 WHERE id = $1`,
            made.refundedInvoiceId,
          )(),
        () => `invoice ${made.refundedInvoiceId} shows 7499 paid, but its payments less refunds come to 7500`,
      ],
      [
        'a payment whose amount refunded is not its refunds',
        () => sql(`UPDATE payments SET amount_refunded = 3000 WHERE id = $1`, made.refundedPaymentId)(),
        () => `payment ${made.refundedPaymentId} shows 3000 refunded, but its refunds come to 2500`,
      ],
      [
        'a status that disagrees with the amounts',
        () => sql(`UPDATE invoices SET status = 'open' WHERE id = $1`, made.paidInvoiceId)(),
        () => `invoice ${made.paidInvoiceId} is open with 0 due`,
      ],
      [
        'an idempotency key with two effects',
        () =>
          sql(
            `INSERT INTO customers (id, organization_id, name, email, metadata)
             SELECT $2, organization_id, name, email, metadata FROM customers WHERE id = $1`,
            made.customerId,
            planted,
          )(),
        () =>
          `idempotency key ${keyId()} produced 2 effects: customer ${made.customerId}, customer ${planted}`,
      ],
      [
        'an effect without its stored answer',
        () => sql(`DELETE FROM idempotency_keys WHERE key = $1`, made.customerKey)(),
        () => `idempotency key ${keyId()} made customer ${made.customerId}, and no answer is stored for it`,
      ],
      [
        'a stored answer naming another object than the effect',
        () =>
          sql(
            `UPDATE idempotency_keys SET response_body = jsonb_set(response_body, '{id}', to_jsonb($2::text))
              WHERE key = $1`,
            made.customerKey,
            planted,
          )(),
        () => `idempotency key ${keyId()} answers ${planted}, but made customer ${made.customerId}`,
      ],
      [
        'a stored answer whose effect was never made',
        () => sql(`UPDATE customers SET metadata = '{}' WHERE id = $1`, made.customerId)(),
        () => `idempotency key ${keyId()} answers ${made.customerId}, which was never made`,
      ],
      [
        'a PDF left pending when PDFs must be settled',
        () => Promise.resolve(),
        () => `the PDF of invoice ${made.uncollectibleInvoiceId} (version 1) is still pending`,
        () => ({ pdfsSettled: true }),
      ],
    ];

    it.each(cases)('%s', async (_name, plant, expected, options = () => ({})) => {
      const violations = await violationsWith(plant, options());

      expect(violations).toContainEqual(expect.stringContaining(expected()));
    });
  });

  /** Drops the table's CHECK constraints (in the planting transaction): the ledger must not lean on them. */
  async function dropChecks(table: string) {
    const { rows } = await db.query<{ name: string }>(
      `SELECT conname AS name FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'c'`,
      [table],
    );
    for (const { name } of rows) await db.query(`ALTER TABLE ${table} DROP CONSTRAINT "${name}"`);
  }
});
