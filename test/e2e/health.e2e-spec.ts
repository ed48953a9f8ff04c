import { expectProblem } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// Nothing listens here: Redis is "down" for the app started with it.
const CLOSED_REDIS_URL = 'redis://127.0.0.1:6390';

describe('health', () => {
  describe('with the database and Redis up', () => {
    let sut: TestApp;
    beforeAll(async () => {
      sut = await startTestApp();
    });
    afterAll(() => sut.close());

    it('GET /health/live answers 200', async () => {
      const response = await sut.http.get('/health/live').expect(200);
      expect(response.body).toEqual({ status: 'ok' });
    });

    it('GET /health/ready answers 200 with database and redis up', async () => {
      const response = await sut.http.get('/health/ready').expect(200);
      expect(response.body).toMatchObject({
        status: 'ok',
        info: { database: { status: 'up' }, redis: { status: 'up' } },
      });
    });

    it('needs no token', async () => {
      await sut.http.get('/health/ready').set('Authorization', 'Bearer not-a-token').expect(200);
    });
  });

  describe('with Redis unreachable', () => {
    let sut: TestApp;
    beforeAll(async () => {
      sut = await startTestApp({ REDIS_URL: CLOSED_REDIS_URL });
    });
    afterAll(() => sut.close());

    it('GET /health/ready answers 503 dependency_unavailable with Retry-After, naming redis', async () => {
      const response = await sut.http.get('/health/ready');

      expectProblem(response, 503, 'dependency_unavailable');
      expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
      expect(response.body.detail).toMatch(/redis/);
      expect(response.body.detail).not.toMatch(/database/);
    });

    it('GET /health/live still answers 200', async () => {
      await sut.http.get('/health/live').expect(200);
    });
  });

  describe('the worker role', () => {
    let sut: TestApp;
    beforeAll(async () => {
      sut = await startTestApp({ APP_ROLE: 'worker' });
    });
    afterAll(() => sut.close());

    it('serves /health/live and /health/ready', async () => {
      await sut.http.get('/health/live').expect(200);
      await sut.http.get('/health/ready').expect(200);
    });

    it.each(['/v1/customers', '/v1/auth/me', '/docs-json', '/docs'])(
      'answers 404 not_found for %s',
      async (path) => {
        expectProblem(await sut.http.get(path), 404, 'not_found');
      },
    );

    it('answers 404 not_found for POST /v1/auth/signup', async () => {
      const response = await sut.http.post('/v1/auth/signup').send({ email: 'a@example.test' });
      expectProblem(response, 404, 'not_found');
    });
  });
});
