import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type TestAgent from 'supertest/lib/agent.js';
import { type Account, actingAs, createCustomer, openInvoice, signUpOwner } from '../support/factories.js';
import { fetchPdf, startPdfTestApp } from '../support/pdf.js';
import { startIsolatedTestApp } from '../support/private-database.js';
import { waitFor } from '../support/processes.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { Receiver } from '../support/webhook-receiver.js';

// Nothing listens here: Redis is "down" for the app started with it.
const CLOSED_REDIS_URL = 'redis://127.0.0.1:6390';
const EXPOSITION = /^text\/plain; version=0\.0\.4/;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized'];

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (comments skipped); a line it cannot read fails the test. */
function parseExposition(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`Not an exposition line: ${line}`);
      const labels: Record<string, string> = {};
      for (const [, name, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
        labels[name] = value.replace(/\\(.)/g, (_, char: string) => (char === 'n' ? '\n' : char));
      }
      return { name: match[1], labels, value: Number(match[3]) };
    });
}

/** The samples named `name` whose labels include `labels`. */
function series(samples: Sample[], name: string, labels: Record<string, string> = {}): Sample[] {
  return samples.filter(
    (sample) =>
      sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
}

/** The sum of those samples (0 when there are none). */
function total(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return series(samples, name, labels).reduce((sum, sample) => sum + sample.value, 0);
}

/** GET /metrics without a token: 200 in the exposition format, parsed. */
async function scrape(http: TestAgent): Promise<Sample[]> {
  const response = await http.get('/metrics').expect(200);
  expect(response.headers['content-type']).toMatch(EXPOSITION);
  return parseExposition(response.text);
}

/** Scrapes until `check` holds on the samples; answers them. */
function scrapeUntil(
  http: TestAgent,
  check: (samples: Sample[]) => boolean,
  what: string,
  timeoutMs = 10_000,
) {
  return waitFor(
    async () => {
      const samples = await scrape(http);
      return check(samples) && samples;
    },
    timeoutMs,
    what,
    100,
  );
}

function expectQueueGauges(samples: Sample[], queue: string): void {
  const states = series(samples, 'queue_jobs', { queue }).map((sample) => sample.labels.state);
  expect(states.sort()).toEqual([...QUEUE_STATES].sort());
}

describe('metrics', () => {
  describe('the api role (all)', () => {
    let sut: TestApp;
    let owner: Account;
    const receivers: Receiver[] = [];

    // Isolated: on the shared database and Redis, other suites' pending webhook retries would be delivered by
    // this app too and move the counters it checks.
    beforeAll(async () => {
      sut = await startIsolatedTestApp('metrics', {
        WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
        WEBHOOK_RETRY_SCHEDULE: '1,1,1',
      });
      owner = await signUpOwner(sut.http);
    });
    afterAll(async () => {
      await Promise.all(receivers.map((receiver) => receiver.close()));
      await sut.close();
    });

    it('GET /metrics answers 200 text/plain without a token, with the default process metrics', async () => {
      const samples = await scrape(sut.http);
      expect(series(samples, 'process_cpu_user_seconds_total')).toHaveLength(1);
    });

    it('observes requests by route template and status code, never by raw URL', async () => {
      const missingId = randomUUID();
      await actingAs(sut.http, owner).get(`/v1/invoices/${missingId}`).expect(404);
      await actingAs(sut.http, owner).post('/v1/customers', { name: '' }).expect(400);
      await sut.http.get(`/no-such-route/${missingId}`).expect(404);

      const samples = await scrape(sut.http);
      const count = (method: string, route: string, status: string) =>
        total(samples, 'http_request_duration_seconds_count', { method, route, status_code: status });
      expect({
        signup201: count('POST', '/v1/auth/signup', '201'),
        invoice404: count('GET', '/v1/invoices/:id', '404'),
        customer400: count('POST', '/v1/customers', '400'),
        unmatched404: count('GET', 'unmatched', '404'),
      }).toEqual({ signup201: 1, invoice404: 1, customer400: 1, unmatched404: 1 });
      // A histogram: buckets up to +Inf, the last holding every observation.
      expect(
        total(samples, 'http_request_duration_seconds_bucket', {
          route: '/v1/invoices/:id',
          status_code: '404',
          le: '+Inf',
        }),
      ).toBe(1);
      const withIds = samples.filter((sample) =>
        Object.values(sample.labels).some((value) => UUID.test(value)),
      );
      expect(withIds).toEqual([]);
    });

    it('reads the depth of the maintenance and webhooks queues, by state', async () => {
      const samples = await scrape(sut.http);
      expectQueueGauges(samples, 'maintenance');
      expectQueueGauges(samples, 'webhooks');
      expect(series(samples, 'queue_jobs').every((sample) => sample.value >= 0)).toBe(true);
    });

    it('counts webhook attempts by outcome, their duration and lag, and the webhooks jobs', async () => {
      // The first attempt gets a 500 (retrying), the second a 200 (succeeded).
      const target = await new Receiver((_, nth) => ({ status: nth === 1 ? 500 : 200 })).start();
      receivers.push(target);
      const endpoint = await actingAs(sut.http, owner)
        .post('/v1/webhook-endpoints', { url: target.url, events: ['customer.created'] })
        .expect(201);
      target.secret = endpoint.body.secret;
      const before = await scrape(sut.http);

      const committed = Date.now();
      await createCustomer(sut.http, owner);
      const after = await scrapeUntil(
        sut.http,
        (samples) =>
          total(samples, 'webhook_deliveries_total', { outcome: 'succeeded' }) >
          total(before, 'webhook_deliveries_total', { outcome: 'succeeded' }),
        'webhook_deliveries_total{outcome="succeeded"} to move',
      );
      const elapsed = (Date.now() - committed) / 1000;

      const moved = (name: string, labels: Record<string, string> = {}) =>
        total(after, name, labels) - total(before, name, labels);
      expect(target.received.map((request) => request.verified)).toEqual([true, true]);
      expect({
        succeeded: moved('webhook_deliveries_total', { outcome: 'succeeded' }),
        retrying: moved('webhook_deliveries_total', { outcome: 'retrying' }),
        failed: moved('webhook_deliveries_total', { outcome: 'failed' }),
        durations: moved('webhook_delivery_duration_seconds_count'),
        lags: moved('webhook_delivery_lag_seconds_count'),
      }).toEqual({ succeeded: 1, retrying: 1, failed: 0, durations: 2, lags: 2 });
      // Two lags, the second after a retry delay of about 1 s; neither longer than the whole wait.
      const lagSum = moved('webhook_delivery_lag_seconds_sum');
      expect(lagSum).toBeGreaterThan(0.5);
      expect(lagSum).toBeLessThan(2 * elapsed + 1);
      expect(moved('webhook_delivery_duration_seconds_sum')).toBeLessThan(elapsed);

      // Each attempt was one job of the webhooks queue that completed (a 500 is recorded, not thrown).
      const jobs = await scrapeUntil(
        sut.http,
        (samples) =>
          total(samples, 'queue_jobs_processed_total', { queue: 'webhooks', outcome: 'completed' }) -
            total(before, 'queue_jobs_processed_total', { queue: 'webhooks', outcome: 'completed' }) >=
          2,
        'two completed webhooks jobs',
      );
      expect(total(jobs, 'queue_job_duration_seconds_count', { queue: 'webhooks' })).toBeGreaterThanOrEqual(
        2,
      );
    });
  });

  describe('the worker role', () => {
    let sut: TestApp;
    beforeAll(async () => {
      sut = await startTestApp({ APP_ROLE: 'worker' });
    });
    afterAll(() => sut.close());

    it('GET /metrics answers 200 text/plain without a token, with the queue gauges', async () => {
      await sut.http.get('/health/live').expect(200);
      const samples = await scrape(sut.http);
      expectQueueGauges(samples, 'maintenance');
      expectQueueGauges(samples, 'webhooks');
      expect(
        total(samples, 'http_request_duration_seconds_count', { route: '/health/live', status_code: '200' }),
      ).toBe(1);
    });
  });

  describe('with Redis unreachable', () => {
    let sut: TestApp;
    beforeAll(async () => {
      sut = await startTestApp({ REDIS_URL: CLOSED_REDIS_URL });
    });
    afterAll(() => sut.close());

    it('GET /metrics still answers 200 promptly, without the queue gauges', async () => {
      const started = Date.now();
      const samples = await scrape(sut.http);

      expect(Date.now() - started).toBeLessThan(1500);
      expect(series(samples, 'queue_jobs')).toEqual([]);
      expect(series(samples, 'process_cpu_user_seconds_total')).toHaveLength(1);
    });
  });

  describe('PDF rendering', () => {
    let sut: TestApp;
    beforeAll(async () => {
      sut = await startPdfTestApp('metrics_pdf');
    }, 60_000);
    afterAll(async () => {
      await sut?.close();
    });

    it('observes the render and counts the completed pdf job', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await openInvoice(sut.http, owner);
      await fetchPdf(sut.http, owner, invoice.id);

      // The job completes just after the PDF is recorded ready.
      const samples = await scrapeUntil(
        sut.http,
        (current) =>
          total(current, 'queue_jobs_processed_total', { queue: 'pdf', outcome: 'completed' }) >= 1,
        'a completed pdf job',
      );
      expect({
        renderedOk: total(samples, 'pdf_render_duration_seconds_count', { kind: 'render', outcome: 'ok' }),
        renderErrors: total(samples, 'pdf_render_duration_seconds_count', { outcome: 'error' }),
        failedJobs: total(samples, 'queue_jobs_processed_total', { queue: 'pdf', outcome: 'failed' }),
      }).toEqual({ renderedOk: 1, renderErrors: 0, failedJobs: 0 });
      expect(total(samples, 'pdf_render_duration_seconds_sum', { kind: 'render' })).toBeGreaterThan(0);
      expect(total(samples, 'queue_job_duration_seconds_count', { queue: 'pdf' })).toBeGreaterThanOrEqual(1);
      expectQueueGauges(samples, 'pdf');
    });
  });
});
