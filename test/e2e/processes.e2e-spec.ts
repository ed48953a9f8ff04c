import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { type Account, lineItem, signUpOwner } from '../support/factories.js';
import { fetchPdf, pdfText } from '../support/pdf.js';
import { createPrivateDatabase, type PrivateDatabase } from '../support/private-database.js';
import {
  accepting,
  type Child,
  compileProduction,
  freePort,
  PRODUCTION_NODE_ARGS,
  type Service,
  startRedisServer,
  startService,
  waitFor,
} from '../support/processes.js';
import { serviceEnvironment } from '../support/service-environment.js';
import { Receiver } from '../support/webhook-receiver.js';

/**
 * The production build run as production runs it: an `api` process and a `worker` process, apart, on one
 * database and one Redis. Together they do all the work, one request id traces a change through both, and
 * a SIGTERM lets the work in flight finish.
 */
describe('api and worker as separate processes', () => {
  const BUILD = path.join(process.cwd(), '.build-processes');
  let database: PrivateDatabase;
  let redis: Child;
  let api: Service;
  let worker: Service;
  let receiver: Receiver;

  // Log lines at every level: the tests follow a request id through them.
  const environment = (role: 'api' | 'worker') =>
    serviceEnvironment(role, database.url, `redis://127.0.0.1:${redisPort}`, { LOG_LEVEL: 'log' });
  let redisPort: number;

  beforeAll(async () => {
    redisPort = await freePort();
    const [redisServer, privateDatabase] = await Promise.all([
      startRedisServer(redisPort),
      createPrivateDatabase('processes'),
      compileProduction(BUILD),
    ]);
    redis = redisServer;
    database = privateDatabase;
    [api, worker] = await Promise.all([
      startService(BUILD, environment('api')),
      startService(BUILD, environment('worker')),
    ]);
    receiver = await new Receiver().start();
  }, 180_000);

  afterAll(async () => {
    await Promise.all([api?.stop('SIGTERM'), worker?.stop('SIGTERM')]);
    await receiver?.close();
    await redis?.stop();
    await database?.drop();
    await rm(BUILD, { recursive: true, force: true });
  }, 60_000);

  /** JSON log lines a process printed that carry this request id. */
  const logLinesWith = (service: Service, requestId: string) =>
    service
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.requestId === requestId);

  /**
   * The readiness a probe gets once the process is ready. Polled, as a probe is: the worker's first check
   * launches its browser, which a busy machine may take longer than the check's 5 s to do.
   */
  async function readiness(service: Service): Promise<request.Response> {
    let answer = await request(service.url).get('/health/ready');
    for (const deadline = Date.now() + 30_000; answer.status !== 200 && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      answer = await request(service.url).get('/health/ready');
    }
    if (answer.status !== 200) throw new Error(`not ready after 30 s: ${answer.status} ${answer.text}`);
    return answer;
  }

  it('serves readiness in both roles, the worker checking its browser', async () => {
    const apiReady = await readiness(api);
    const workerReady = await readiness(worker);

    expect(Object.keys(apiReady.body.info)).toEqual(['database', 'redis']);
    expect(workerReady.body.info).toMatchObject({
      database: { status: 'up' },
      redis: { status: 'up' },
      browser: { status: 'up', version: expect.stringMatching(/Chrom/) },
    });
    await request(worker.url).get('/v1/invoices').expect(404);
  }, 75_000);

  it('runs with the flags the Dockerfile and npm start give it: its young generation is capped', async () => {
    const command = /^CMD (\[.*\])$/m.exec(await readFile('Dockerfile', 'utf8'));
    expect(JSON.parse(command![1])).toEqual(['node', ...PRODUCTION_NODE_ARGS, 'dist/src/main.js']);
    const semiSpaceMb = Number(/^--max-semi-space-size=(\d+)$/.exec(PRODUCTION_NODE_ARGS.join('\n'))?.[1]);
    expect(semiSpaceMb).toBeGreaterThan(0);

    // V8's default would be two semi-spaces of 16 MB; start-up alone fills them (32 MB measured).
    const metrics = (await request(api.url).get('/metrics').expect(200)).text;
    const newSpace = /^nodejs_heap_space_size_total_bytes\{space="new"\} (\d+)$/m.exec(metrics);
    expect(Number(newSpace![1])).toBeLessThanOrEqual(2 * semiSpaceMb * 1024 * 1024);
  });

  it('does all the work between them, and one request id traces a finalize to its PDF and webhooks', async () => {
    const client = request(api.url);
    const owner: Account = await signUpOwner(client);
    const endpoint = await client
      .post('/v1/webhook-endpoints')
      .set('Authorization', owner.bearer)
      .send({ url: receiver.url, events: ['invoice.finalized', 'invoice.pdf_ready'] })
      .expect(201);
    receiver.secret = endpoint.body.secret;
    const customer = await client
      .post('/v1/customers')
      .set('Authorization', owner.bearer)
      .send({ name: 'Initech', email: 'ap@initech.test' })
      .expect(201);
    const draft = await client
      .post('/v1/invoices')
      .set('Authorization', owner.bearer)
      .send({ customerId: customer.body.id, lineItems: [lineItem()] })
      .expect(201);
    const requestId = `trace-${randomUUID()}`;

    const finalized = await client
      .post(`/v1/invoices/${draft.body.id}/finalize`)
      .set('Authorization', owner.bearer)
      .set('X-Request-Id', requestId)
      .expect(200);

    expect(finalized.headers['x-request-id']).toBe(requestId);
    // The worker renders the PDF and delivers both events; the api only answered.
    const pdf = await fetchPdf(client, owner, draft.body.id);
    expect(await pdfText(pdf.body as Buffer)).toContain('Initech');
    await waitFor(() => receiver.received.length >= 2, 20_000, 'both webhooks');
    expect(receiver.received.map(({ payload }) => payload.type).sort()).toEqual([
      'invoice.finalized',
      'invoice.pdf_ready',
    ]);
    expect(receiver.received.every(({ verified }) => verified)).toBe(true);

    const deliveries = await client
      .get(`/v1/webhook-endpoints/${endpoint.body.id}/deliveries`)
      .set('Authorization', owner.bearer)
      .expect(200);
    expect(deliveries.body.data).toEqual([
      expect.objectContaining({ eventType: 'invoice.pdf_ready', requestId, status: 'succeeded' }),
      expect.objectContaining({ eventType: 'invoice.finalized', requestId, status: 'succeeded' }),
    ]);
    expect(logLinesWith(api, requestId)).toContainEqual(
      expect.objectContaining({ context: 'HTTP', message: expect.objectContaining({ statusCode: 200 }) }),
    );
    const workerContexts = logLinesWith(worker, requestId).map((line) => line.context);
    expect(workerContexts).toEqual(
      expect.arrayContaining(['PdfRenderProcessor', 'WebhookDeliveryProcessor']),
    );
  });

  it('answers a random X-Request-Id when none (or a bad one) is sent', async () => {
    const none = await request(api.url).get('/health/live').expect(200);
    const bad = await request(api.url)
      .get('/health/live')
      .set('X-Request-Id', 'bad id\twith spaces')
      .expect(200);

    expect(none.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(bad.headers['x-request-id']).not.toBe(none.headers['x-request-id']);
  });

  it('on SIGTERM finishes the request in flight, refuses new connections, and exits well within the bound', async () => {
    const owner = await signUpOwner(request(api.url));
    const body = JSON.stringify({ name: 'Sent while stopping', email: 'stop@initech.test' });
    // A request whose body is still arriving when the signal comes.
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const slow = http.request(
        `${api.url}/v1/customers`,
        {
          method: 'POST',
          headers: {
            authorization: owner.bearer,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode!, body: text }));
        },
      );
      slow.on('error', reject);
      slow.write(body.slice(0, 10));
      setTimeout(() => slow.end(body.slice(10)), 1500);
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const stoppedAt = Date.now();

    api.process.kill('SIGTERM');
    await waitFor(async () => !(await accepting(api.port)), 5_000, 'the api to stop accepting');
    const finished = await answer;
    await waitFor(() => api.exited(), 20_000, 'the api to exit');

    expect(finished.status).toBe(201);
    expect(JSON.parse(finished.body)).toMatchObject({ name: 'Sent while stopping' });
    // Closed cleanly, Nest raises the signal again to exit by it; the bound's forced exit would be code 1.
    expect({ code: api.process.exitCode, signal: api.process.signalCode }).toEqual({
      code: null,
      signal: 'SIGTERM',
    });
    expect(Date.now() - stoppedAt).toBeLessThan(20_000);
  });
});
