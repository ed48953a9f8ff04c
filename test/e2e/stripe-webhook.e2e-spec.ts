import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import type { PaymentResponseDto } from '../../src/payments/dto/payment.dto.js';
import { TEST_STRIPE_WEBHOOK_SECRET } from '../support/environment.js';
import {
  type Account,
  actingAs,
  createInvoice,
  eventsAbout,
  expectProblem,
  finalizeInvoice,
  getInvoice,
  type InvoiceBody,
  signUpOwner,
} from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const WEBHOOK = '/v1/integrations/stripe/webhook';
/** 2 × 50.00 USD, the invoice every test pays. */
const TOTAL = 10000;

const stripeId = (prefix: string) => `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
const nowSeconds = () => Math.floor(Date.now() / 1000);

interface StripeEventBody {
  id: string;
  type: string;
  data: { object: Record<string, unknown> };
  [field: string]: unknown;
}

/** An event shaped like the ones Stripe sends. */
const stripeEvent = (
  type: string,
  object: Record<string, unknown>,
  id = stripeId('evt'),
): StripeEventBody => ({
  id,
  object: 'event',
  api_version: '2026-10-28.endive',
  created: nowSeconds(),
  livemode: false,
  pending_webhooks: 1,
  request: { id: stripeId('req'), idempotency_key: randomUUID() },
  type,
  data: { object },
});

/** A PaymentIntent for the whole invoice, the invoice's id in its metadata (as our checkout sets it). */
const paymentIntent = (invoice: InvoiceBody, fields: Record<string, unknown> = {}) => ({
  id: stripeId('pi'),
  object: 'payment_intent',
  amount: invoice.total,
  amount_received: invoice.total,
  currency: invoice.currency.toLowerCase(),
  created: nowSeconds() - 60,
  status: 'succeeded',
  latest_charge: stripeId('ch'),
  last_payment_error: null,
  metadata: { invoiceId: invoice.id },
  livemode: false,
  ...fields,
});

const succeeded = (intent: ReturnType<typeof paymentIntent>, id?: string) =>
  stripeEvent('payment_intent.succeeded', intent, id);

const failed = (intent: ReturnType<typeof paymentIntent>) =>
  stripeEvent('payment_intent.payment_failed', {
    ...intent,
    status: 'requires_payment_method',
    amount_received: 0,
    last_payment_error: { code: 'card_declined', message: 'Your card was declined.', type: 'card_error' },
  });

/** charge.refunded as Stripe sends it: amount_refunded is the total refunded on the charge so far. */
const refunded = (intent: ReturnType<typeof paymentIntent>, amountRefunded: number) =>
  stripeEvent('charge.refunded', {
    id: intent.latest_charge,
    object: 'charge',
    amount: intent.amount,
    amount_captured: intent.amount,
    amount_refunded: amountRefunded,
    currency: intent.currency,
    payment_intent: intent.id,
    refunded: amountRefunded === intent.amount,
    status: 'succeeded',
  });

interface Delivery {
  secret?: string;
  timestamp?: number;
  /** What is sent instead of the signed payload (a tampered body). */
  body?: string;
  signature?: string | null;
}

describe('POST /v1/integrations/stripe/webhook', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp();
  });
  afterAll(() => sut.close());

  /** Sends the event as Stripe does: pretty-printed JSON, signed over those exact bytes. */
  function deliver(event: StripeEventBody, delivery: Delivery = {}) {
    const payload = JSON.stringify(event, null, 2);
    const signature =
      delivery.signature !== undefined
        ? delivery.signature
        : Stripe.webhooks.generateTestHeaderString({
            payload,
            secret: delivery.secret ?? TEST_STRIPE_WEBHOOK_SECRET,
            timestamp: delivery.timestamp,
          });
    const request = sut.http.post(WEBHOOK).set('Content-Type', 'application/json; charset=utf-8');
    if (signature !== null) request.set('Stripe-Signature', signature);
    return request.send(delivery.body ?? payload);
  }

  async function openInvoice(owner: Account, fields: Record<string, unknown> = {}): Promise<InvoiceBody> {
    const draft = await createInvoice(sut.http, owner, { currency: 'USD', ...fields });
    return finalizeInvoice(sut.http, owner, draft.id);
  }

  async function paymentsOf(owner: Account, invoiceId: string): Promise<PaymentResponseDto[]> {
    const response = await actingAs(sut.http, owner).get(`/v1/payments?invoiceId=${invoiceId}`).expect(200);
    return response.body.data;
  }

  async function storedEvent(id: string) {
    const { rows } = await sut.db.query(`SELECT id, type, outcome, reason FROM stripe_events WHERE id = $1`, [
      id,
    ]);
    return rows[0] ?? null;
  }

  /** Everything a webhook could change for one invoice: compared before and after to prove nothing did. */
  async function stateOf(owner: Account, invoiceId: string) {
    const { rows } = await sut.db.query(
      `SELECT (SELECT count(*) FROM payments WHERE invoice_id = $1)::int AS payments,
              (SELECT count(*) FROM refunds WHERE organization_id = $2)::int AS refunds,
              (SELECT count(*) FROM events WHERE organization_id = $2)::int AS events`,
      [invoiceId, owner.organizationId],
    );
    return {
      counts: rows[0],
      invoice: await getInvoice(sut.http, owner, invoiceId),
      payments: await paymentsOf(owner, invoiceId),
    };
  }

  describe('payment_intent.succeeded', () => {
    it('records a Stripe payment and pays the invoice it covers', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await openInvoice(owner);
      const intent = paymentIntent(invoice);
      const event = succeeded(intent);

      const response = await deliver(event).expect(200);

      expect(response.body).toEqual({ received: true, outcome: 'applied' });
      const [payment] = await paymentsOf(owner, invoice.id);
      expect(payment).toMatchObject({
        invoiceId: invoice.id,
        amount: TOTAL,
        amountRefunded: 0,
        currency: 'USD',
        status: 'succeeded',
        method: 'stripe',
        reference: intent.id,
        provider: 'stripe',
        providerPaymentId: intent.id,
        failureMessage: null,
      });
      const paid = await getInvoice(sut.http, owner, invoice.id);
      expect(paid).toMatchObject({ status: 'paid', amountPaid: TOTAL, amountDue: 0 });
      expect((await eventsAbout(sut.db, payment.id)).map((e) => e.type)).toEqual(['payment.succeeded']);
      expect((await eventsAbout(sut.db, invoice.id)).map((e) => e.type)).toContain('invoice.paid');
      expect(await storedEvent(event.id)).toEqual({
        id: event.id,
        type: 'payment_intent.succeeded',
        outcome: 'applied',
        reason: null,
      });
    });

    it('takes a partial payment and leaves the invoice open with the rest due', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await openInvoice(owner);

      await deliver(succeeded(paymentIntent(invoice, { amount: 4000, amount_received: 4000 }))).expect(200);

      expect(await getInvoice(sut.http, owner, invoice.id)).toMatchObject({
        status: 'open',
        amountPaid: 4000,
        amountDue: TOTAL - 4000,
      });
      expect((await eventsAbout(sut.db, invoice.id)).map((e) => e.type)).not.toContain('invoice.paid');
    });

    it('changes nothing when Stripe delivers the same event again', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await openInvoice(owner);
      const event = succeeded(paymentIntent(invoice, { amount: 4000, amount_received: 4000 }));
      await deliver(event).expect(200);
      const before = await stateOf(owner, invoice.id);

      const response = await deliver(event).expect(200);

      expect(response.body).toEqual({ received: true, duplicate: true });
      expect(await stateOf(owner, invoice.id)).toEqual(before);
      expect(await storedEvent(event.id)).toMatchObject({ outcome: 'applied' });
    });

    it('records the payment once when the same intent comes under another event id', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await openInvoice(owner);
      const intent = paymentIntent(invoice, { amount: 4000, amount_received: 4000 });
      await deliver(succeeded(intent)).expect(200);
      const before = await stateOf(owner, invoice.id);
      const again = succeeded(intent);

      const response = await deliver(again).expect(200);

      expect(response.body).toEqual({ received: true, outcome: 'duplicate' });
      expect(await stateOf(owner, invoice.id)).toEqual(before);
      expect(before.payments).toHaveLength(1);
      expect(await storedEvent(again.id)).toMatchObject({ outcome: 'duplicate', reason: null });
    });

    it('records exactly one payment when the same event arrives 5 times at once', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await openInvoice(owner);
      const event = succeeded(paymentIntent(invoice));

      const responses = await Promise.all(Array.from({ length: 5 }, () => deliver(event)));

      expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      const bodies = responses.map((r) => r.body);
      expect(bodies.filter((b) => b.outcome === 'applied')).toHaveLength(1);
      expect(bodies.filter((b) => b.duplicate === true)).toHaveLength(4);
      const payments = await paymentsOf(owner, invoice.id);
      expect(payments).toHaveLength(1);
      expect((await eventsAbout(sut.db, payments[0].id)).map((e) => e.type)).toEqual(['payment.succeeded']);
      expect(await getInvoice(sut.http, owner, invoice.id)).toMatchObject({
        status: 'paid',
        amountPaid: TOTAL,
      });
    });

    it('needs no bearer token and ignores Idempotency-Key', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await openInvoice(owner);
      const event = succeeded(paymentIntent(invoice));
      const payload = JSON.stringify(event);
      const signature = Stripe.webhooks.generateTestHeaderString({
        payload,
        secret: TEST_STRIPE_WEBHOOK_SECRET,
      });

      const response = await sut.http
        .post(WEBHOOK)
        .set('Content-Type', 'application/json')
        .set('Stripe-Signature', signature)
        .set('Idempotency-Key', randomUUID())
        .send(payload)
        .expect(200);

      expect(response.body).toEqual({ received: true, outcome: 'applied' });
      expect(response.headers['idempotent-replayed']).toBeUndefined();
    });
  });

  describe('the signature', () => {
    const stale = () => nowSeconds() - 301;
    it.each<[string, (event: StripeEventBody) => Delivery]>([
      [
        'a body changed after signing',
        (event) => ({
          body: JSON.stringify(
            { ...event, data: { object: { ...event.data.object, amount_received: 1 } } },
            null,
            2,
          ),
        }),
      ],
      ['a signature made with another secret', () => ({ secret: 'whsec_someone_else_0123456789' })],
      ['no Stripe-Signature header', () => ({ signature: null })],
      ['an empty Stripe-Signature header', () => ({ signature: '' })],
      ['a header that is not a Stripe signature', () => ({ signature: 'v1,abc' })],
      ['a signature older than 5 minutes', () => ({ timestamp: stale() })],
    ])('refuses %s: 400 invalid_signature, nothing changed', async (_case, tamper) => {
      const owner = await signUpOwner(sut.http);
      const invoice = await openInvoice(owner);
      const event = succeeded(paymentIntent(invoice));
      const before = await stateOf(owner, invoice.id);

      const response = await deliver(event, tamper(event));

      expectProblem(response, 400, 'invalid_signature');
      expect(await stateOf(owner, invoice.id)).toEqual(before);
      expect(await storedEvent(event.id)).toBeNull();
    });

    it('accepts a signature made 4 minutes ago', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await openInvoice(owner);

      const response = await deliver(succeeded(paymentIntent(invoice)), { timestamp: nowSeconds() - 240 });

      expect(response.status).toBe(200);
    });

    it('still takes the event after a refused delivery of it', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await openInvoice(owner);
      const event = succeeded(paymentIntent(invoice));
      await deliver(event, { secret: 'whsec_someone_else_0123456789' }).expect(400);

      const response = await deliver(event).expect(200);

      expect(response.body).toEqual({ received: true, outcome: 'applied' });
    });
  });

  describe('payment_intent.payment_failed', () => {
    it('records a failed payment and leaves the invoice as it was', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await openInvoice(owner);
      const intent = paymentIntent(invoice);

      const response = await deliver(failed(intent)).expect(200);

      expect(response.body).toEqual({ received: true, outcome: 'applied' });
      const [payment] = await paymentsOf(owner, invoice.id);
      expect(payment).toMatchObject({
        amount: TOTAL,
        status: 'failed',
        method: 'stripe',
        providerPaymentId: intent.id,
        failureMessage: 'Your card was declined.',
      });
      expect((await eventsAbout(sut.db, payment.id)).map((e) => e.type)).toEqual(['payment.failed']);
      expect(await getInvoice(sut.http, owner, invoice.id)).toEqual(invoice);
    });

    it('ends as one succeeded payment when the intent then succeeds', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await openInvoice(owner);
      const intent = paymentIntent(invoice);
      await deliver(failed(intent)).expect(200);

      const response = await deliver(succeeded(intent)).expect(200);

      expect(response.body).toEqual({ received: true, outcome: 'applied' });
      const payments = await paymentsOf(owner, invoice.id);
      expect(payments).toHaveLength(1);
      expect(payments[0]).toMatchObject({ status: 'succeeded', amount: TOTAL, failureMessage: null });
      expect((await eventsAbout(sut.db, payments[0].id)).map((e) => e.type)).toEqual([
        'payment.failed',
        'payment.succeeded',
      ]);
      expect(await getInvoice(sut.http, owner, invoice.id)).toMatchObject({ status: 'paid', amountDue: 0 });
    });

    it('does not undo a success that came first', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await openInvoice(owner);
      const intent = paymentIntent(invoice);
      await deliver(succeeded(intent)).expect(200);
      const before = await stateOf(owner, invoice.id);

      const response = await deliver(failed(intent)).expect(200);

      expect(response.body).toEqual({ received: true, outcome: 'duplicate' });
      expect(await stateOf(owner, invoice.id)).toEqual(before);
    });
  });

  describe('charge.refunded', () => {
    it('refunds what is new in amount_refunded each time, reopening the invoice', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await openInvoice(owner);
      const intent = paymentIntent(invoice);
      await deliver(succeeded(intent)).expect(200);

      const partial = await deliver(refunded(intent, 3000)).expect(200);

      expect(partial.body).toEqual({ received: true, outcome: 'applied' });
      let [payment] = await paymentsOf(owner, invoice.id);
      expect(payment).toMatchObject({ status: 'partially_refunded', amountRefunded: 3000 });
      expect(payment.refunds.map((r) => r.amount)).toEqual([3000]);
      expect(await getInvoice(sut.http, owner, invoice.id)).toMatchObject({
        status: 'open',
        amountPaid: TOTAL - 3000,
        amountDue: 3000,
      });

      const full = await deliver(refunded(intent, TOTAL)).expect(200);

      expect(full.body).toEqual({ received: true, outcome: 'applied' });
      [payment] = await paymentsOf(owner, invoice.id);
      expect(payment).toMatchObject({ status: 'refunded', amountRefunded: TOTAL });
      expect(payment.refunds.map((r) => r.amount).sort((a, b) => a - b)).toEqual([3000, TOTAL - 3000]);
      expect(await getInvoice(sut.http, owner, invoice.id)).toMatchObject({
        status: 'open',
        amountPaid: 0,
        amountDue: TOTAL,
      });
      expect((await eventsAbout(sut.db, payment.id)).map((e) => e.type)).toEqual([
        'payment.succeeded',
        'payment.refunded',
        'payment.refunded',
      ]);
    });

    it('changes nothing for a new event reporting the same cumulative amount', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await openInvoice(owner);
      const intent = paymentIntent(invoice);
      await deliver(succeeded(intent)).expect(200);
      await deliver(refunded(intent, 3000)).expect(200);
      const before = await stateOf(owner, invoice.id);

      const response = await deliver(refunded(intent, 3000)).expect(200);

      expect(response.body).toEqual({ received: true, outcome: 'duplicate' });
      expect(await stateOf(owner, invoice.id)).toEqual(before);
    });

    it('ignores a refund of a payment it does not know', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await openInvoice(owner);
      const intent = paymentIntent(invoice);
      const event = refunded(intent, 3000);

      const response = await deliver(event).expect(200);

      expect(response.body).toEqual({
        received: true,
        outcome: 'ignored',
        reason: `no payment ${intent.id}`,
      });
      expect(await storedEvent(event.id)).toMatchObject({
        outcome: 'ignored',
        reason: `no payment ${intent.id}`,
      });
    });
  });

  describe('events it cannot apply: 200 ignored, with a reason, nothing changed', () => {
    const refusals: [string, (invoice: InvoiceBody) => Record<string, unknown>, RegExp][] = [
      ['a payment in another currency', () => ({ currency: 'eur' }), /paid in EUR, invoiced in USD/],
      [
        'a payment for an invoice that does not exist',
        () => ({ metadata: { invoiceId: randomUUID() } }),
        /no invoice/,
      ],
      [
        'a payment of more than is due',
        (invoice) => ({ amount_received: invoice.total + 1 }),
        /more than the 10000 due/,
      ],
      ['a payment without an invoice id in the metadata', () => ({ metadata: {} }), /no metadata\.invoiceId/],
      [
        'a payment whose invoice id is not a UUID',
        () => ({ metadata: { invoiceId: 'INV-000042' } }),
        /not a UUID/,
      ],
      ['a payment intent without an id', () => ({ id: null }), /payment intent has no id/],
    ];

    it.each(refusals)('%s', async (_case, fields, reason) => {
      const owner = await signUpOwner(sut.http);
      const invoice = await openInvoice(owner);
      const before = await stateOf(owner, invoice.id);
      const event = succeeded(paymentIntent(invoice, fields(invoice)));

      const response = await deliver(event).expect(200);

      expect(response.body).toEqual({
        received: true,
        outcome: 'ignored',
        reason: expect.stringMatching(reason),
      });
      expect(await stateOf(owner, invoice.id)).toEqual(before);
      expect(await storedEvent(event.id)).toEqual({
        id: event.id,
        type: 'payment_intent.succeeded',
        outcome: 'ignored',
        reason: expect.stringMatching(reason),
      });
    });

    it.each<[string, (event: StripeEventBody) => object, RegExp]>([
      [
        'an event without data.object',
        (event) => ({ ...event, data: { object: null } }),
        /has no data\.object/,
      ],
      [
        'an event whose created time is not a number',
        (event) => ({ ...event, created: 'yesterday' }),
        /no valid created time/,
      ],
    ])('%s', async (_case, reshape, reason) => {
      const owner = await signUpOwner(sut.http);
      const invoice = await openInvoice(owner);
      const before = await stateOf(owner, invoice.id);

      const response = await deliver(reshape(succeeded(paymentIntent(invoice))) as StripeEventBody).expect(
        200,
      );

      expect(response.body).toEqual({
        received: true,
        outcome: 'ignored',
        reason: expect.stringMatching(reason),
      });
      expect(await stateOf(owner, invoice.id)).toEqual(before);
    });

    it('a payment on a void invoice', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await openInvoice(owner);
      await actingAs(sut.http, owner).post(`/v1/invoices/${invoice.id}/void`).expect(200);
      const before = await stateOf(owner, invoice.id);

      const response = await deliver(succeeded(paymentIntent(invoice))).expect(200);

      expect(response.body).toEqual({ received: true, outcome: 'ignored', reason: 'the invoice is void' });
      expect(await stateOf(owner, invoice.id)).toEqual(before);
    });

    it('an event type it does not handle', async () => {
      const event = stripeEvent('customer.created', { id: stripeId('cus'), object: 'customer' });

      const response = await deliver(event).expect(200);

      expect(response.body).toEqual({
        received: true,
        outcome: 'ignored',
        reason: 'event type customer.created is not handled',
      });
      expect(await storedEvent(event.id)).toMatchObject({ type: 'customer.created', outcome: 'ignored' });
    });
  });

  it.each([
    ['not JSON', '{"id": "evt_1", ', 'malformed_json'],
    ['JSON but no object', 'null', 'validation_failed'],
  ])('refuses a well-signed body that is %s before looking at it: 400 %s', async (_case, payload, code) => {
    const signature = Stripe.webhooks.generateTestHeaderString({
      payload,
      secret: TEST_STRIPE_WEBHOOK_SECRET,
    });

    const response = await sut.http
      .post(WEBHOOK)
      .set('Content-Type', 'application/json')
      .set('Stripe-Signature', signature)
      .send(payload);

    expectProblem(response, 400, code);
  });

  describe('without STRIPE_WEBHOOK_SECRET', () => {
    let unconfigured: TestApp;
    beforeAll(async () => {
      unconfigured = await startTestApp({ STRIPE_WEBHOOK_SECRET: '', APP_ROLE: 'api' });
    });
    afterAll(() => unconfigured.close());

    it('answers 404 stripe_not_configured, even to a well-signed event', async () => {
      const event = stripeEvent('customer.created', { id: stripeId('cus'), object: 'customer' });
      const payload = JSON.stringify(event);
      const signature = Stripe.webhooks.generateTestHeaderString({
        payload,
        secret: TEST_STRIPE_WEBHOOK_SECRET,
      });

      const response = await unconfigured.http
        .post(WEBHOOK)
        .set('Content-Type', 'application/json')
        .set('Stripe-Signature', signature)
        .send(payload);

      expectProblem(response, 404, 'stripe_not_configured');
      expect(await storedEvent(event.id)).toBeNull();
    });
  });
});
