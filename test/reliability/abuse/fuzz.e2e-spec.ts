import fc from 'fast-check';
import Stripe from 'stripe';
import type { Response } from 'supertest';
import { TEST_STRIPE_WEBHOOK_SECRET } from '../../support/environment.js';
import { PROBLEM_JSON } from '../../support/factories.js';
import { type AbuseApp, sendOwn, type SendOptions, startAbuseApp } from './abuse-app.js';
import type { ApiOperation } from './api-document.js';
import { type OrganizationObjects, organizationWithOneOfEverything } from './organization-fixture.js';
import { bodies, queries } from './schema-arbitraries.js';
import type { BodyIds } from './schema-values.js';
import { printTallies, Tally } from './tally.js';

/** Runs per operation and property: enough to meet every kind of hostile value a few times within the budget. */
// A failure shrinks, sending many more requests than RUNS: hence the longer test timeouts.
const RUNS = Number(process.env.ABUSE_FUZZ_RUNS ?? 25);

/** How to fill the headers an operation requires, for the payload about to be sent. */
const REQUIRED_HEADERS: Record<string, (payload: string) => string> = {
  // Signed with the test app's secret, so hostile events get past the signature into the handler.
  'Stripe-Signature': (payload) =>
    Stripe.webhooks.generateTestHeaderString({ payload, secret: TEST_STRIPE_WEBHOOK_SECRET }),
};

/** What is wrong with an answer: a 5xx, a 4xx that is no problem document, or a 4xx that wrote. */
function answerProblem(response: Response, changed: string[]): string | null {
  if (response.status >= 500) return `${response.status}: ${response.text.slice(0, 300)}`;
  if (response.status < 400) return null;
  const body = response.body as { status?: unknown; code?: unknown };
  if (
    !PROBLEM_JSON.test(response.headers['content-type']) ||
    body.status !== response.status ||
    typeof body.code !== 'string'
  )
    return `${response.status} is no problem document: ${response.text.slice(0, 300)}`;
  return changed.length > 0 ? `${response.status} (${body.code}) but wrote ${changed.join(', ')}` : null;
}

describe('abuse: property-based fuzz of every operation from the OpenAPI document', () => {
  let app: AbuseApp;
  let home: OrganizationObjects;
  let ids: BodyIds;
  const tallies: Tally[] = [];

  beforeAll(async () => {
    app = await startAbuseApp('abuse_fuzz');
    home = await organizationWithOneOfEverything(app.sut.http);
    ids = { customerId: home.customer, invoiceId: home.issuedInvoice };
  });
  afterAll(async () => {
    printTallies(`fuzz (${RUNS} runs per property)`, tallies);
    await app?.close();
  });

  /** The JSON text to send and the headers the operation requires for it; an unknown required header fails. */
  function prepare(operation: ApiOperation, value: unknown): SendOptions & { payload: string } {
    const payload = JSON.stringify(value) ?? 'null';
    const headers = Object.fromEntries(
      operation.parameters
        .filter((parameter) => parameter.in === 'header' && parameter.required)
        .map(({ name }) => {
          if (!REQUIRED_HEADERS[name])
            throw new Error(`The fuzz does not know how to fill ${name} for ${operation.route}`);
          return [name, REQUIRED_HEADERS[name](payload)];
        }),
    );
    return { payload, headers, jsonText: true };
  }

  /** Runs the property for each operation; answers each operation's failure with fast-check's counterexample. */
  async function fuzzEach<T>(
    operations: ApiOperation[],
    what: string,
    arbitrary: (operation: ApiOperation) => fc.Arbitrary<T>,
    sendIt: (operation: ApiOperation, value: T) => Promise<{ response: Response; changed: string[] }>,
  ): Promise<string[]> {
    const failures: string[] = [];
    for (const operation of operations) {
      const tally = new Tally(`${operation.route} ${what}`);
      tallies.push(tally);
      const property = fc.asyncProperty(arbitrary(operation), async (value) => {
        const { response, changed } = await sendIt(operation, value);
        tally.count(response.status, response.status >= 400 && changed.length > 0);
        const problem = answerProblem(response, changed);
        if (problem) throw new Error(problem);
      });
      const details = await fc.check(property, { numRuns: RUNS });
      if (details.failed) failures.push(`${operation.route} ${what}: ${fc.defaultReportMessage(details)}`);
    }
    return failures;
  }

  it('never answers a generated body with a 5xx; every 4xx is a problem document and writes nothing', async () => {
    const withBodies = app.operations.filter((operation) => operation.body);

    const failures = await fuzzEach(
      withBodies,
      'body',
      (operation) => bodies(operation, ids),
      (operation, body) => {
        const { payload, ...options } = prepare(operation, body);
        return sendOwn(app, home, operation, payload, options);
      },
    );

    expect(failures).toEqual([]);
    expect(withBodies.length).toBeGreaterThan(15);
  }, 120_000);

  it('never answers generated query parameters with a 5xx; every 4xx is a problem document and writes nothing', async () => {
    const withQueries = app.operations.filter((operation) =>
      operation.parameters.some((parameter) => parameter.in === 'query'),
    );

    const failures = await fuzzEach(
      withQueries,
      'query',
      (operation) => queries(operation, ids),
      (operation, query) =>
        sendOwn(app, home, operation, undefined, { query: query as Record<string, string> }),
    );

    expect(failures).toEqual([]);
    expect(withQueries.length).toBeGreaterThan(8);
  }, 120_000);
});
