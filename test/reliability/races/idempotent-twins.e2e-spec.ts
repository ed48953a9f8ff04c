import type { Response } from 'supertest';
import {
  createCustomer,
  createPayment,
  expectProblem,
  lineItem,
  openInvoice,
  uniqueEmail,
} from '../../support/factories.js';
import { idempotencyTag, newIdempotencyKey } from '../ledger.js';
import { report } from '../scenario.js';
import {
  all,
  outcomes,
  RaceKit,
  type RaceOrganization,
  type RowCounts,
  rowsWith,
  times,
} from './race-kit.js';

/** A POST that takes an Idempotency-Key: where, a body (tagged with the key, varied by `variant`), what it makes. */
interface Kind {
  /** The path, and the body the request with `key` sends; `variant` makes other bodies under the same key. */
  request(org: RaceOrganization): Promise<{ path: string; body: (key: string, variant: number) => object }>;
  /** The organization's rows once the request has had its one effect. */
  after: RowCounts;
}

const ISSUED = { 'customer.created': 1, 'invoice.created': 1, 'invoice.finalized': 1 };

/** What each kind of request makes, tagged with its key as the ledger counts effects (ledger/idempotency-rules). */
const KINDS: Record<'customers' | 'invoices' | 'payments' | 'refunds', Kind> = {
  customers: {
    request: async () => ({
      path: '/v1/customers',
      body: (key, variant) => ({
        name: `Globex ${variant}`,
        email: `${key}@twins.test`,
        metadata: idempotencyTag(key),
      }),
    }),
    after: rowsWith({ customers: 1, idempotencyKeys: 1, events: { 'customer.created': 1 } }),
  },
  invoices: {
    request: async (org) => {
      const customer = await createCustomer(org.http, org.owner, { email: uniqueEmail('twins') });
      return {
        path: '/v1/invoices',
        body: (key, variant) => ({
          customerId: customer.id,
          lineItems: [lineItem({ quantity: variant + 1 })],
          metadata: idempotencyTag(key),
        }),
      };
    },
    after: rowsWith({
      customers: 1,
      invoices: 1,
      idempotencyKeys: 1,
      events: { 'customer.created': 1, 'invoice.created': 1 },
    }),
  },
  payments: {
    request: async (org) => {
      const invoice = await openInvoice(org.http, org.owner);
      return {
        path: '/v1/payments',
        body: (key, variant) => ({
          invoiceId: invoice.id,
          amount: 1000 + variant,
          method: 'bank_transfer',
          reference: key,
        }),
      };
    },
    after: rowsWith({
      customers: 1,
      invoices: 1,
      payments: 1,
      idempotencyKeys: 1,
      events: { ...ISSUED, 'payment.succeeded': 1 },
    }),
  },
  refunds: {
    request: async (org) => {
      const invoice = await openInvoice(org.http, org.owner);
      const payment = await createPayment(org.http, org.owner, invoice.id, 10_000);
      return {
        path: `/v1/payments/${payment.id}/refunds`,
        body: (key, variant) => ({ amount: 1000 + variant, reason: key }),
      };
    },
    after: rowsWith({
      customers: 1,
      invoices: 1,
      payments: 1,
      refunds: 1,
      idempotencyKeys: 1,
      events: { ...ISSUED, 'payment.succeeded': 1, 'invoice.paid': 1, 'payment.refunded': 1 },
    }),
  },
};

const TWINS = 10;

/**
 * The same Idempotency-Key sent many times at once, on each kind of POST that makes money move or an object
 * appear: with the same body it has one effect and every answer is that one (or a 409 to retry); with other
 * bodies one of them runs and the rest are refused. Each race ends with the organization's ledger clean.
 */
describe('idempotent twins at once', () => {
  const kit = new RaceKit();
  /** Every answer the twins got, by outcome (a replay apart), for the report. */
  const answers: Response[] = [];

  beforeAll(() => kit.start());
  afterAll(async () => {
    const replays = answers.filter((response) => replayed(response)).length;
    const counts = Object.entries(outcomes(answers)).map(([outcome, n]) => `${outcome}×${n}`);
    report(
      `idempotent twins: ${answers.length} answers at once: ${counts.join(' ')} (${replays} of the 201s replays)`,
    );
    await kit.close('idempotent twins');
  });

  const replayed = (response: Response) => response.headers['idempotent-replayed'];
  const post = (org: RaceOrganization, path: string, key: string, body: object) => () =>
    org.as.post(path, body).set('Idempotency-Key', key);

  function expectRetryLater(response: Response) {
    expectProblem(response, 409, 'idempotency_key_in_use');
    expect(response.headers['retry-after']).toBe('1');
  }

  it.each(Object.entries(KINDS))(
    `%s: the same key and body ${TWINS} times at once have one effect; the others replay it or answer 409`,
    async (_kind, { request, after }) => {
      const org = await kit.organization();
      const { path, body } = await request(org);
      const key = newIdempotencyKey();

      const responses = await all(times(TWINS, () => post(org, path, key, body(key, 0))));
      answers.push(...responses);

      const created = responses.filter((response) => response.status === 201);
      const [original, ...others] = created.filter((response) => replayed(response) === undefined);
      expect(others).toHaveLength(0);
      for (const response of created) expect(response.body).toEqual(original.body);
      responses.filter((response) => response.status !== 201).forEach(expectRetryLater);
      // Once the first has committed, a retry replays it.
      const retry = await post(org, path, key, body(key, 0))();
      expect({ status: retry.status, body: retry.body, replayed: replayed(retry) }).toEqual({
        status: 201,
        body: original.body,
        replayed: 'true',
      });
      expect(await org.rows()).toEqual(after);
      expect(await org.ledger()).toEqual([]);
    },
  );

  it.each(Object.entries(KINDS))(
    `%s: the same key with ${TWINS} bodies at once runs one; the others answer 409 or 422 and change nothing`,
    async (_kind, { request, after }) => {
      const org = await kit.organization();
      const { path, body } = await request(org);
      const key = newIdempotencyKey();

      const responses = await all(times(TWINS, (variant) => post(org, path, key, body(key, variant))));
      answers.push(...responses);

      const counts = outcomes(responses);
      expect(counts['201']).toBe(1);
      expect((counts['409 idempotency_key_in_use'] ?? 0) + (counts['422 idempotency_key_reused'] ?? 0)).toBe(
        TWINS - 1,
      );
      // Afterwards, each body but the one that ran is refused for good, and that one replays.
      const winner = responses.findIndex((response) => response.status === 201);
      for (const variant of times(TWINS, (i) => i)) {
        const response = await post(org, path, key, body(key, variant))();
        if (variant !== winner) expectProblem(response, 422, 'idempotency_key_reused');
        else
          expect({ status: response.status, body: response.body, replayed: replayed(response) }).toEqual({
            status: 201,
            body: responses[winner].body,
            replayed: 'true',
          });
      }
      expect(await org.rows()).toEqual(after);
      expect(await org.ledger()).toEqual([]);
    },
  );
});
