import { getQueueToken } from '@nestjs/bullmq';
import { queueNamesRegisteredBy } from '../../src/admin/queue-names.js';
import { MAINTENANCE_QUEUE } from '../../src/scheduler/maintenance.producer.js';
import { WorkerModule } from '../../src/worker.module.js';
import { expectProblem } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { DiscoveryService } from '@nestjs/core';
import { registeredQueues } from '../../src/queue/registered-queues.js';

const ADMIN = { ADMIN_USER: 'ops', ADMIN_PASSWORD: 'a-long-admin-password' };
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
const RIGHT = basic(ADMIN.ADMIN_USER, ADMIN.ADMIN_PASSWORD);

describe('queue dashboard (/admin/queues)', () => {
  describe('with ADMIN_USER and ADMIN_PASSWORD set', () => {
    let sut: TestApp;

    beforeAll(async () => {
      sut = await startTestApp(ADMIN);
    });
    afterAll(() => sut.close());

    it.each([
      ['no credentials', undefined],
      ['the wrong password', basic('ops', 'a-long-admin-passworX')],
      ['the wrong user', basic('root', ADMIN.ADMIN_PASSWORD)],
      ['a bearer token', 'Bearer not-basic'],
      ['garbage', 'Basic !!!'],
    ])(
      'answers 401 with WWW-Authenticate to %s, on the page and on its API',
      async (_case, authorization) => {
        for (const path of ['/admin/queues', '/admin/queues/api/queues']) {
          const request = sut.http.get(path);
          if (authorization) request.set('Authorization', authorization);
          const response = await request;
          expectProblem(response, 401, 'unauthorized');
          expect(response.headers['www-authenticate']).toMatch(/^Basic realm="queues"/);
          expect(JSON.stringify(response.body)).not.toContain('maintenance');
        }
      },
    );

    it('serves the dashboard page as HTML with the right credentials', async () => {
      const response = await sut.http.get('/admin/queues').set('Authorization', RIGHT).expect(200);

      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.text).toMatch(/<html/i);
    });

    it('lists the maintenance queue through its API route', async () => {
      const response = await sut.http.get('/admin/queues/api/queues').set('Authorization', RIGHT).expect(200);

      const names = (response.body.queues as { name: string }[]).map((queue) => queue.name);
      expect(names).toContain(MAINTENANCE_QUEUE);
    });

    it('shows every queue registered in the app (found through the container), each once', () => {
      const registered = registeredQueues(sut.app.get(DiscoveryService));

      expect(registered.map((queue) => queue.name)).toContain(MAINTENANCE_QUEUE);
      expect(registered).toContain(sut.app.get(getQueueToken(MAINTENANCE_QUEUE)));
      expect(new Set(registered.map((queue) => queue.name)).size).toBe(registered.length);
    });

    it('leaves the API routes to their own auth', async () => {
      const response = await sut.http.get('/v1/events').set('Authorization', RIGHT);
      expectProblem(response, 401, 'unauthorized');
    });
  });

  describe('in the api role (no workers in the process)', () => {
    let sut: TestApp;

    beforeAll(async () => {
      sut = await startTestApp({ ...ADMIN, APP_ROLE: 'api' });
    });
    afterAll(() => sut.close());

    it('still lists the queues the worker role registers', async () => {
      const response = await sut.http.get('/admin/queues/api/queues').set('Authorization', RIGHT).expect(200);

      const names = (response.body.queues as { name: string }[]).map((queue) => queue.name);
      expect(names).toEqual(queueNamesRegisteredBy(WorkerModule.features));
      expect(names).toContain(MAINTENANCE_QUEUE);
    });
  });

  describe('without admin credentials', () => {
    let sut: TestApp;

    beforeAll(async () => {
      sut = await startTestApp();
    });
    afterAll(() => sut.close());

    it('does not serve the dashboard at all', async () => {
      const response = await sut.http.get('/admin/queues').set('Authorization', RIGHT);
      expect(response.status).toBe(404);
    });
  });

  describe('in the worker role', () => {
    let sut: TestApp;

    beforeAll(async () => {
      sut = await startTestApp({ ...ADMIN, APP_ROLE: 'worker' });
    });
    afterAll(() => sut.close());

    it('does not serve the dashboard (the worker serves only health and metrics)', async () => {
      const response = await sut.http.get('/admin/queues').set('Authorization', RIGHT);
      expect(response.status).toBe(404);
    });
  });
});
