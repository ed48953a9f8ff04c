import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Histogram, Counter, Registry } from 'prom-client';

/** What a webhook attempt came to: delivered, to be retried, given up on, 410 Gone, skipped, or recorded by another worker. */
export type WebhookOutcome = 'succeeded' | 'retrying' | 'failed' | 'gone' | 'endpoint_disabled' | 'stale';

/**
 * This process's Prometheus registry and the metrics features record into. The registry is the app's own
 * (not prom-client's global one), so several apps in one process (the tests) keep their metrics apart.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  readonly httpRequestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by method, route template and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers: [this.registry],
  });

  readonly pdfRenderDuration = new Histogram({
    name: 'pdf_render_duration_seconds',
    help: 'Chromium renders of invoice PDFs (render) and draft previews (preview)',
    labelNames: ['kind', 'outcome'] as const,
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 20],
    registers: [this.registry],
  });

  readonly webhookDeliveries = new Counter({
    name: 'webhook_deliveries_total',
    help: 'Webhook delivery attempts by what they came to',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly webhookDeliveryDuration = new Histogram({
    name: 'webhook_delivery_duration_seconds',
    help: 'The HTTP exchange of a webhook attempt, up to its 15 s timeout',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
    registers: [this.registry],
  });

  readonly webhookDeliveryLag = new Histogram({
    name: 'webhook_delivery_lag_seconds',
    help: 'From the event committed to a webhook attempt sent (retries included)',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600, 86400],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Runs one PDF render and observes its duration, labelled with how it ended. */
  async timePdfRender<T>(kind: 'render' | 'preview', render: () => Promise<T>): Promise<T> {
    const end = this.pdfRenderDuration.startTimer({ kind });
    try {
      const result = await render();
      end({ outcome: 'ok' });
      return result;
    } catch (error) {
      end({ outcome: 'error' });
      throw error;
    }
  }
}
