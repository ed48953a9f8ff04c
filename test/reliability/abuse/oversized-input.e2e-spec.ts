import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BODY_LIMIT_BYTES } from '../../../src/app.factory.js';
import { MAX_BODY_DEPTH } from '../../../src/common/http/body-shape.js';
import { STRING_MAP_LIMITS } from '../../../src/common/http/string-map.js';
import { PROBLEM_JSON } from '../../support/factories.js';
import { type AbuseApp, refusalProblems, sendOwn, startAbuseApp } from './abuse-app.js';
import { type ApiOperation, fillPath } from './api-document.js';
import { watchWrites } from './database-fingerprint.js';
import {
  type OrganizationObjects,
  organizationWithOneOfEverything,
  ownPathValues,
} from './organization-fixture.js';
import { acceptedValue, type BodyIds, bodyWith, type Field, fieldsOf } from './schema-values.js';
import { printTallies, Tally } from './tally.js';

const HUGE_STRING_LENGTH = 100_000;
/** Lists with no documented maximum are tried this long (about 150 KB of JSON, inside the body limit). */
const LONG_LIST = 10_000;

/** Sends a JSON text as is, with chunked transfer encoding (no Content-Length) unless told otherwise. */
function postRaw(
  port: number,
  method: string,
  path: string,
  bearer: string,
  chunks: string[],
): Promise<{ status: number; contentType: string; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: {
          authorization: bearer,
          'content-type': 'application/json',
          'transfer-encoding': 'chunked',
        },
      },
      (response) => {
        let body = '';
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode!,
            contentType: response.headers['content-type'] ?? '',
            body,
          }),
        );
      },
    );
    // The server may answer 413 and close while chunks are still going out.
    request.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EPIPE' ? undefined : reject(error),
    );
    for (const chunk of chunks) request.write(chunk);
    request.end();
  });
}

describe('abuse: oversized and malformed input', () => {
  let app: AbuseApp;
  let home: OrganizationObjects;
  let ids: BodyIds;
  let port: number;
  const tallies = {
    tooLarge: new Tally(`bodies past ${BODY_LIMIT_BYTES} bytes (sized and chunked)`),
    lists: new Tally('lists and maps past their maxima'),
    strings: new Tally(`strings of ${HUGE_STRING_LENGTH} characters in every string field`),
    numbers: new Tally('huge, infinite and negative numbers in every number field'),
    overflow: new Tally('invoices whose totals pass 2^53 - 1'),
    shapes: new Tally('nesting 100,000 deep and lone surrogates in every field'),
  };

  beforeAll(async () => {
    app = await startAbuseApp('abuse_oversized');
    home = await organizationWithOneOfEverything(app.sut.http);
    ids = { customerId: home.customer, invoiceId: home.issuedInvoice };
    // A real port for the chunked requests, which supertest cannot send.
    await app.sut.app.listen(0, '127.0.0.1');
    port = (app.sut.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(async () => {
    printTallies('oversized-input', Object.values(tallies));
    await app?.close();
  });

  // Stripe's events are free-form by contract (additionalProperties: true); its signature guards them.
  const withFields = () =>
    app.operations.filter((operation) => operation.body && operation.body.additionalProperties !== true);

  /** Sends each case and collects what is wrong with each answer, expecting 400 naming `field`. */
  async function expectRefusals(
    cases: {
      operation: ApiOperation;
      field: string;
      body: unknown;
      label: string;
      names?: string;
      jsonText?: boolean;
    }[],
    tally: Tally,
  ): Promise<string[]> {
    const problems: string[] = [];
    for (const { operation, field, body, label, names, jsonText } of cases) {
      const answer = await sendOwn(app, home, operation, body, { jsonText });
      tally.count(answer.response.status, answer.changed.length > 0);
      problems.push(...refusalProblems(`${operation.route} ${label}`, answer, [names ?? field]));
    }
    return problems;
  }

  /** The body with `field` set to `json`, as JSON text: for values JSON.stringify cannot write. */
  const jsonWith = (operation: ApiOperation, field: string, json: string) => {
    const marker = '__abuse_marker__';
    return JSON.stringify(bodyWith(operation, ids, field, marker)).replace(`"${marker}"`, json);
  };

  const fieldCases = (kinds: Field['kind'][]) =>
    withFields().flatMap((operation) =>
      fieldsOf(operation.body!)
        .filter((field) => kinds.includes(field.kind))
        .map((field) => ({ operation, field })),
    );

  it('answers every write route 413 payload_too_large for a body past the limit, with or without Content-Length', async () => {
    const writes = app.operations.filter((operation) => operation.method !== 'get');
    const padding = 'x'.repeat(BODY_LIMIT_BYTES);
    const problems: string[] = [];
    for (const operation of writes) {
      const path = fillPath(operation, ownPathValues(operation, home));
      const sized = await watchWrites(app.sut.db, () =>
        app.sut.http[operation.method](path)
          .set('Authorization', home.owner.bearer)
          .set('Content-Type', 'application/json')
          .send(JSON.stringify({ name: padding })),
      );
      const chunked = await watchWrites(app.sut.db, () =>
        postRaw(port, operation.method.toUpperCase(), path, home.owner.bearer, [
          '{"name":"',
          ...Array.from({ length: 17 }, () => 'x'.repeat(BODY_LIMIT_BYTES / 16)),
          '"}',
        ]),
      );
      for (const [how, status, contentType, body, changed] of [
        [
          'sized',
          sized.result.status,
          sized.result.headers['content-type'],
          sized.result.text,
          sized.changed,
        ],
        ['chunked', chunked.result.status, chunked.result.contentType, chunked.result.body, chunked.changed],
      ] as const) {
        tallies.tooLarge.count(status, changed.length > 0);
        if (status !== 413 || !PROBLEM_JSON.test(contentType) || !body.includes('payload_too_large'))
          problems.push(`${operation.route} ${how}: ${status} ${body.slice(0, 200)}`);
        if (changed.length > 0) problems.push(`${operation.route} ${how}: wrote ${changed.join(', ')}`);
      }
    }

    expect(problems).toEqual([]);
    expect(writes.length).toBeGreaterThan(30);
  });

  it('refuses every list past its documented maximum (or 10,000 items) and every map past its limits with 400', async () => {
    const lists = fieldCases(['list']).map(({ operation, field }) => {
      const item = (acceptedValue(field.schema, field.path, ids) as unknown[])[0];
      const length = (field.schema.maxItems ?? LONG_LIST - 1) + 1;
      return {
        operation,
        field: field.path,
        label: `${field.path} × ${length}`,
        body: bodyWith(operation, ids, field.path, Array(length).fill(item)),
      };
    });
    const tooMany = Object.fromEntries(
      Array.from({ length: STRING_MAP_LIMITS.keys + 1 }, (_, i) => [`k${i}`, 'v']),
    );
    const maps = fieldCases(['map']).flatMap(({ operation, field }) =>
      [
        [`${STRING_MAP_LIMITS.keys + 1} keys`, tooMany],
        ['a key too long', { ['k'.repeat(STRING_MAP_LIMITS.keyLength + 1)]: 'v' }],
        ['a value too long', { k: 'v'.repeat(STRING_MAP_LIMITS.valueLength + 1) }],
        ['a value that is not a string', { k: { nested: 'v' } }],
      ].map(([label, value]) => ({
        operation,
        field: field.path,
        label: `${field.path}: ${label}`,
        body: bodyWith(operation, ids, field.path, value),
      })),
    );

    expect(await expectRefusals([...lists, ...maps], tallies.lists)).toEqual([]);
    expect(lists.map(({ operation, label }) => `${operation.route} ${label}`)).toEqual(
      expect.arrayContaining([
        'POST /v1/invoices lineItems × 251',
        'POST /v1/webhook-endpoints events × 10000',
      ]),
    );
    expect(maps.length).toBeGreaterThanOrEqual(4 * 4);
  });

  it(`refuses a string of ${HUGE_STRING_LENGTH} characters in every string field with 400 naming it`, async () => {
    // Accented and astral characters: a length counted in bytes or in code points must still refuse it.
    const huge = 'é😀'.repeat(HUGE_STRING_LENGTH / 2);
    const cases = fieldCases(['string']).map(({ operation, field }) => ({
      operation,
      field: field.path,
      label: field.path,
      body: bodyWith(operation, ids, field.path, huge),
    }));

    expect(await expectRefusals(cases, tallies.strings)).toEqual([]);
    expect(cases.length).toBeGreaterThan(40);
  });

  it('refuses huge, infinite and negative numbers in every number field with 400 naming it', async () => {
    const values: [string, number][] = [
      ['1e308', 1e308],
      ['-1e308', -1e308],
      ['2^64', 2 ** 64],
      ['-1', -1],
    ];
    const cases = fieldCases(['number']).flatMap(({ operation, field }) =>
      values.map(([label, value]) => ({
        operation,
        field: field.path,
        label: `${field.path} = ${label}`,
        body: bodyWith(operation, ids, field.path, value),
      })),
    );
    const problems = await expectRefusals(cases, tallies.numbers);
    // 1e400 is valid JSON that JSON.parse reads as Infinity, which JSON.stringify cannot write: sent as text.
    const infinite = fieldCases(['number']).map(({ operation, field }) => ({
      operation,
      field: field.path,
      label: `${field.path} = 1e400`,
      body: jsonWith(operation, field.path, '1e400'),
      jsonText: true,
    }));
    problems.push(...(await expectRefusals(infinite, tallies.numbers)));

    expect(problems).toEqual([]);
    expect(cases.length).toBeGreaterThanOrEqual(8 * values.length);
  });

  it('refuses an invoice whose line or total would pass 2^53 - 1 minor units with 400 amount_out_of_range', async () => {
    const invoices = app.operations.find((operation) => operation.route === 'POST /v1/invoices')!;
    const bodies = [
      [{ description: 'One huge line', quantity: 1_000_000_000, unitAmount: 9_007_199_254_740 }],
      Array(3).fill({ description: 'Three lines, each fine', quantity: 400_000_000, unitAmount: 10_000_000 }),
      Array(250).fill({ description: 'The most lines', quantity: 1_000_000, unitAmount: 40_000_000_000 }),
    ];
    const problems: string[] = [];
    for (const lineItems of bodies) {
      const { response, changed } = await sendOwn(app, home, invoices, {
        customerId: home.customer,
        lineItems,
      });
      tallies.overflow.count(response.status, changed.length > 0);
      if (response.status !== 400 || response.body.code !== 'amount_out_of_range' || changed.length > 0)
        problems.push(
          `${lineItems.length} lines: ${response.status} ${response.text.slice(0, 200)} ${changed}`,
        );
    }

    expect(problems).toEqual([]);
  });

  it('refuses a field nested 100,000 deep and a lone surrogate in every field with 400 naming it', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const tooDeep = withFields().map((operation) => ({
      operation,
      field: 'metadata',
      label: 'a field nested 100,000 deep',
      names: `metadata${'.0'.repeat(MAX_BODY_DEPTH - 1)}`,
      body: jsonWith(operation, 'metadata', deep),
      jsonText: true,
    }));
    const loneSurrogates = fieldCases(['string']).map(({ operation, field }) => ({
      operation,
      field: field.path,
      label: `${field.path} with a lone surrogate`,
      body: bodyWith(operation, ids, field.path, 'Globex \ud800'),
    }));

    expect(await expectRefusals([...tooDeep, ...loneSurrogates], tallies.shapes)).toEqual([]);
  });
});
