import type { Response } from 'supertest';
import { type Account, expectProblem, signUpOwner, uniqueEmail } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const ONE_MIB = 1024 * 1024;

describe('error answers', () => {
  let sut: TestApp;
  let owner: Account;

  beforeAll(async () => {
    sut = await startTestApp();
    owner = await signUpOwner(sut.http);
  });
  afterAll(() => sut.close());

  /** A POST /v1/customers with a raw body and content type, as a client with a bug would send it. */
  const postRaw = (body: string | Buffer, contentType = 'application/json') =>
    sut.http
      .post('/v1/customers')
      .set('Authorization', owner.bearer)
      .set('Content-Type', contentType)
      .send(body);

  /** The whole RFC 9457 document, on top of expectProblem's status, content type and code. */
  function expectProblemDocument(response: Response, status: number, code: string): void {
    expectProblem(response, status, code);
    expect(response.body).toMatchObject({
      type: `/problems/${code}`,
      title: expect.stringMatching(/\S/),
      status,
      detail: expect.stringMatching(/\S/),
      code,
    });
  }

  describe('bodies the parser refuses', () => {
    it('answers 400 malformed_json for broken JSON', async () => {
      expectProblemDocument(await postRaw('{"name": "Globex",'), 400, 'malformed_json');
    });

    it('answers 400 malformed_json for an empty body sent as JSON', async () => {
      expectProblemDocument(await postRaw(''), 400, 'malformed_json');
    });

    it('answers 415 unsupported_media_type for a text/plain body', async () => {
      const response = await postRaw('name=Globex', 'text/plain');
      expectProblemDocument(response, 415, 'unsupported_media_type');
    });

    it('answers 415 unsupported_media_type for an XML body', async () => {
      const response = await postRaw('<customer/>', 'application/xml');
      expectProblemDocument(response, 415, 'unsupported_media_type');
    });

    it('answers 413 payload_too_large for a body over 1 MiB', async () => {
      const body = JSON.stringify({ name: 'x'.repeat(ONE_MIB), email: 'ap@globex.test' });
      expectProblemDocument(await postRaw(body), 413, 'payload_too_large');
    });

    it('accepts JSON with a charset parameter', async () => {
      const body = JSON.stringify({ name: 'Globex', email: uniqueEmail('ap') });
      await postRaw(body, 'application/json; charset=utf-8').expect(201);
    });
  });

  describe('bodies that parse but are not an object of known fields', () => {
    it('answers 400 validation_failed listing each unknown field', async () => {
      const response = await sut.http
        .post('/v1/customers')
        .set('Authorization', owner.bearer)
        .send({ name: 'Globex', email: 'ap@globex.test', nickname: 'G', color: 'blue' });

      expectProblemDocument(response, 400, 'validation_failed');
      expect(response.body.errors).toEqual(
        expect.arrayContaining([
          { field: 'nickname', message: expect.stringMatching(/\S/) },
          { field: 'color', message: expect.stringMatching(/\S/) },
        ]),
      );
      expect(response.body.errors).toHaveLength(2);
    });

    it('names a nested field by its dotted path', async () => {
      const response = await sut.http
        .post('/v1/customers')
        .set('Authorization', owner.bearer)
        .send({ name: 'Globex', email: 'ap@globex.test', address: { city: 'Berlin', country: 'DEU' } });

      expectProblemDocument(response, 400, 'validation_failed');
      expect(response.body.errors).toEqual([
        { field: 'address.country', message: expect.stringMatching(/\S/) },
      ]);
    });

    it.each(['null', '[]', '"str"', '42', 'true', '[{"name":"Globex","email":"ap@globex.test"}]'])(
      'answers 400 validation_failed for the JSON body %s',
      async (body) => {
        expectProblemDocument(await postRaw(body), 400, 'validation_failed');
      },
    );
  });

  describe('routes and tokens', () => {
    it.each([
      ['GET', '/v1/nothing-here'],
      ['POST', '/v1/nothing-here'],
      ['GET', '/'],
    ])('answers 404 not_found for %s %s', async (method, path) => {
      const response = await sut.http[method === 'GET' ? 'get' : 'post'](path);
      expectProblemDocument(response, 404, 'not_found');
    });

    it('answers 431 headers_too_large for a URL past what the server reads', async () => {
      const response = await sut.http
        .get(`/v1/customers?q=${'x'.repeat(20_000)}`)
        .set('Authorization', owner.bearer);
      expectProblemDocument(response, 431, 'headers_too_large');
    });

    it('answers 401 unauthorized for a token that is not a JWT', async () => {
      const response = await sut.http.get('/v1/customers').set('Authorization', 'Bearer not-a-token');
      expectProblemDocument(response, 401, 'unauthorized');
    });
  });

  describe('after all of the above', () => {
    it('still answers GET /health/live 200', async () => {
      const abuse: [string, string?][] = [
        ['{"broken":'],
        [''],
        ['x'.repeat(ONE_MIB + 1)],
        ['null'],
        ['[]'],
        ['name=Globex', 'text/plain'],
      ];
      for (const [body, contentType] of abuse) {
        expect((await postRaw(body, contentType)).status).toBeLessThan(500);
      }

      const response = await sut.http.get('/health/live').expect(200);
      expect(response.body).toEqual({ status: 'ok' });
    });
  });
});
