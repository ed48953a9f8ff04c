import type Stripe from 'stripe';
import { toStripeReport } from './stripe-event-report.js';

const INVOICE_ID = '0195f3c2-8a4b-7c1d-9e2f-3a4b5c6d7e8f';
const EVENT_CREATED = 1_795_600_000;

/** A Stripe event as the API sends it, around `object`. */
const event = (type: string, object: object) =>
  ({
    id: 'evt_1',
    object: 'event',
    type,
    created: EVENT_CREATED,
    livemode: false,
    api_version: '2026-10-28.endive',
    data: { object },
  }) as unknown as Stripe.Event;

const intent = (fields: object = {}) => ({
  id: 'pi_1',
  object: 'payment_intent',
  amount: 10000,
  amount_received: 10000,
  currency: 'usd',
  created: EVENT_CREATED - 3600,
  metadata: { invoiceId: INVOICE_ID },
  last_payment_error: null,
  ...fields,
});

const charge = (fields: object = {}) => ({
  id: 'ch_1',
  object: 'charge',
  amount: 10000,
  amount_refunded: 2500,
  currency: 'usd',
  payment_intent: 'pi_1',
  ...fields,
});

describe('toStripeReport', () => {
  describe('payment_intent.succeeded', () => {
    it('reports the amount received, in the upper-case currency, paid when Stripe reported it', () => {
      expect(toStripeReport(event('payment_intent.succeeded', intent({ amount_received: 7500 })))).toEqual({
        kind: 'payment',
        payment: {
          provider: 'stripe',
          providerPaymentId: 'pi_1',
          invoiceId: INVOICE_ID,
          amount: 7500,
          currency: 'USD',
          paidAt: new Date(EVENT_CREATED * 1000),
        },
      });
    });

    it.each<[string, object, RegExp]>([
      ['no metadata.invoiceId', { metadata: {} }, /no metadata\.invoiceId/],
      ['no metadata at all', { metadata: undefined }, /no metadata\.invoiceId/],
      ['an empty invoiceId', { metadata: { invoiceId: '' } }, /no metadata\.invoiceId/],
      [
        'an invoiceId that is not a UUID',
        { metadata: { invoiceId: 'INV-000042' } },
        /"INV-000042" is not a UUID/,
      ],
      ['no amount received', { amount_received: 0 }, /no valid amount/],
      ['a fractional amount', { amount_received: 10.5 }, /no valid amount/],
      ['a currency that is not ISO 4217 shaped', { currency: 'usdt' }, /no valid currency/],
      ['no intent id', { id: null }, /has no id/],
      ['an intent id that is not a string', { id: { nested: 'pi_1' } }, /has no id/],
    ])('is ignored with a reason for %s', (_case, fields, reason) => {
      const sut = toStripeReport(event('payment_intent.succeeded', intent(fields)));
      expect(sut).toEqual({ kind: 'ignore', reason: expect.stringMatching(reason) });
    });
  });

  describe('payment_intent.payment_failed', () => {
    it('reports the amount attempted and Stripe’s failure message', () => {
      const failed = intent({
        amount_received: 0,
        last_payment_error: { message: 'Your card was declined.', code: 'card_declined' },
      });

      expect(toStripeReport(event('payment_intent.payment_failed', failed))).toEqual({
        kind: 'failure',
        payment: {
          provider: 'stripe',
          providerPaymentId: 'pi_1',
          invoiceId: INVOICE_ID,
          amount: 10000,
          currency: 'USD',
          paidAt: new Date(EVENT_CREATED * 1000),
          failureMessage: 'Your card was declined.',
        },
      });
    });

    it('has no failure message when Stripe gives none', () => {
      const sut = toStripeReport(event('payment_intent.payment_failed', intent({ amount_received: 0 })));
      expect(sut).toMatchObject({ kind: 'failure' });
      expect(sut.kind === 'failure' && 'failureMessage' in sut.payment).toBe(false);
    });

    it('is ignored without an invoice id, like a success', () => {
      const sut = toStripeReport(event('payment_intent.payment_failed', intent({ metadata: {} })));
      expect(sut).toMatchObject({ kind: 'ignore' });
    });
  });

  describe('charge.refunded', () => {
    it('reports the total refunded so far on the charge’s payment intent', () => {
      expect(toStripeReport(event('charge.refunded', charge()))).toEqual({
        kind: 'refund',
        providerPaymentId: 'pi_1',
        totalRefunded: 2500,
      });
    });

    it('takes the id of an expanded payment intent', () => {
      const sut = toStripeReport(
        event('charge.refunded', charge({ payment_intent: intent({ id: 'pi_9' }) })),
      );
      expect(sut).toMatchObject({ kind: 'refund', providerPaymentId: 'pi_9' });
    });

    it.each<[string, object, RegExp]>([
      ['a charge without a payment intent', { payment_intent: null }, /ch_1 has no payment_intent/],
      ['a negative amount_refunded', { amount_refunded: -1 }, /no valid amount_refunded/],
      ['a missing amount_refunded', { amount_refunded: undefined }, /no valid amount_refunded/],
    ])('is ignored with a reason for %s', (_case, fields, reason) => {
      const sut = toStripeReport(event('charge.refunded', charge(fields)));
      expect(sut).toEqual({ kind: 'ignore', reason: expect.stringMatching(reason) });
    });
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['a string', 'pi_1'],
    ['missing', undefined],
  ])('ignores a handled event whose data.object is %s', (_case, object) => {
    const sut = toStripeReport({
      ...event('payment_intent.succeeded', {}),
      data: { object },
    } as Stripe.Event);
    expect(sut).toEqual({ kind: 'ignore', reason: 'event evt_1 has no data.object' });
  });

  it.each<[string, unknown]>([
    ['a string', 'yesterday'],
    ['fractional', 1.5],
    ['negative', -1],
    ['past year 9999', 1e20],
  ])('ignores a payment whose event created time is %s', (_case, created) => {
    const sut = toStripeReport({ ...event('payment_intent.succeeded', intent()), created } as Stripe.Event);
    expect(sut).toEqual({ kind: 'ignore', reason: expect.stringMatching(/no valid created time/) });
  });

  it('leaves out a failure message that is not text', () => {
    const failed = intent({ amount_received: 0, last_payment_error: { message: { nested: 'declined' } } });
    const sut = toStripeReport(event('payment_intent.payment_failed', failed));
    expect(sut).toMatchObject({ kind: 'failure' });
    expect(sut).not.toHaveProperty('payment.failureMessage');
  });

  it.each(['payment_intent.created', 'customer.created', 'charge.succeeded', 'invoice.paid'])(
    'ignores %s, naming the type',
    (type) => {
      expect(toStripeReport(event(type, { id: 'x_1' }))).toEqual({
        kind: 'ignore',
        reason: `event type ${type} is not handled`,
      });
    },
  );
});
