import type TestAgent from 'supertest/lib/agent.js';
import { type Account, lineItem, PROBLEM_JSON } from '../support/factories.js';
import { idempotencyTag, newIdempotencyKey } from './ledger.js';

/**
 * Traffic through the HTTP API while a fault is injected: flows of customer → invoice → finalize → two payments
 * (the second settles it) → a partial refund (it reopens), with a list and a read. Every POST carries an
 * Idempotency-Key and tags what it makes with it (as the ledger counts effects), and is sent again with the
 * same key while the answer is a 503, a 409 idempotency_key_in_use or a dropped connection, as a careful
 * client would. Answers are counted by status; any answer that breaks the contract (a 5xx other than 503, a
 * 4xx that is not a problem document, any other status than the step expects) is kept to be shown.
 */

const INVOICE_TOTAL = 10_000; // one line of 2 × 50.00
const FIRST_PAYMENT = 4_000;
const REFUND = 2_500;
const RETRY_EVERY_MS = 100;

export interface TrafficSummary {
  flowsStarted: number;
  flowsCompleted: number;
  requests: number;
  byStatus: Record<string, number>;
  /** 503s: a dependency away, retried. */
  unavailable: number;
  /** Any other 5xx: never acceptable. */
  serverErrors: number;
  /** Requests that got no answer (connection refused or reset). */
  dropped: number;
  /** What broke the contract, one line each. */
  unexpected: string[];
}

type Answer = { status: number; body: Record<string, unknown> };

export class Traffic {
  private readonly byStatus = new Map<string, number>();
  private readonly unexpected: string[] = [];
  private flowsStarted = 0;
  private flowsCompleted = 0;
  private running = false;
  private workers: Promise<void>[] = [];

  constructor(
    private readonly http: TestAgent,
    private readonly account: Account,
    /** How long one POST is retried before its flow gives up. */
    private readonly retryForMs = 60_000,
  ) {}

  /** Starts `concurrency` loops of flows, each going on until stop(). */
  start(concurrency = 3): this {
    this.running = true;
    this.workers = Array.from({ length: concurrency }, () => this.loop());
    return this;
  }

  /** Lets the requests in flight finish (retrying no more), then answers what happened. */
  async stop(): Promise<TrafficSummary> {
    this.running = false;
    await Promise.all(this.workers);
    return this.summary();
  }

  /** What happened so far. */
  summary(): TrafficSummary {
    const byStatus = Object.fromEntries(this.byStatus);
    const count = (match: (status: string) => boolean) =>
      Object.entries(byStatus)
        .filter(([status]) => match(status))
        .reduce((sum, [, n]) => sum + n, 0);
    return {
      flowsStarted: this.flowsStarted,
      flowsCompleted: this.flowsCompleted,
      requests: count(() => true),
      byStatus,
      unavailable: count((status) => status === '503'),
      serverErrors: count((status) => status.startsWith('5') && status !== '503'),
      dropped: count((status) => status === 'dropped'),
      unexpected: [...this.unexpected],
    };
  }

  private async loop(): Promise<void> {
    while (this.running) {
      this.flowsStarted++;
      if (await this.flow()) this.flowsCompleted++;
    }
  }

  /** One flow; false when a step gave up (its effects so far stay, whole, for the ledger). */
  private async flow(): Promise<boolean> {
    const customer = await this.post('/v1/customers', 201, (key) => ({
      name: 'Traffic Ltd',
      email: `${key}@traffic.test`,
      metadata: idempotencyTag(key),
    }));
    if (!customer) return false;
    const invoice = await this.post('/v1/invoices', 201, (key) => ({
      customerId: customer.id,
      lineItems: [lineItem()],
      metadata: idempotencyTag(key),
    }));
    if (!invoice) return false;
    if (!(await this.post(`/v1/invoices/${invoice.id}/finalize`, 200, () => ({})))) return false;
    await this.get(`/v1/invoices?limit=10`);
    const pay = (amount: number) =>
      this.post('/v1/payments', 201, (key) => ({
        invoiceId: invoice.id,
        amount,
        method: 'bank_transfer',
        reference: key,
      }));
    if (!(await pay(FIRST_PAYMENT))) return false;
    const settling = await pay(INVOICE_TOTAL - FIRST_PAYMENT);
    if (!settling) return false;
    await this.get(`/v1/invoices/${invoice.id}`);
    return (
      (await this.post(`/v1/payments/${settling.id}/refunds`, 201, (key) => ({
        amount: REFUND,
        reason: key,
      }))) !== null
    );
  }

  /** POSTs until the expected answer comes, with one key throughout; null when it gave up. */
  private async post(
    path: string,
    expected: number,
    body: (key: string) => object,
  ): Promise<Record<string, unknown> | null> {
    const key = newIdempotencyKey();
    const payload = body(key);
    const deadline = Date.now() + this.retryForMs;
    for (;;) {
      const answer = await this.send(
        this.http
          .post(path)
          .set('Authorization', this.account.bearer)
          .set('Idempotency-Key', key)
          .send(payload),
      );
      if (answer?.status === expected) return answer.body;
      const retry =
        !answer ||
        answer.status === 503 ||
        (answer.status === 409 && answer.body.code === 'idempotency_key_in_use');
      if (answer && !retry)
        this.unexpected.push(`POST ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
      if (!retry || !this.running || Date.now() > deadline) return null;
      await new Promise((resolve) => setTimeout(resolve, RETRY_EVERY_MS));
    }
  }

  private async get(path: string): Promise<void> {
    const answer = await this.send(this.http.get(path).set('Authorization', this.account.bearer));
    if (answer && answer.status !== 200 && answer.status !== 503) {
      this.unexpected.push(`GET ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
  }

  /** Sends and counts the answer; null when none came. */
  private async send(
    request: PromiseLike<{ status: number; body: unknown; headers: Record<string, string> }>,
  ) {
    let response: { status: number; body: unknown; headers: Record<string, string> };
    try {
      response = await request;
    } catch {
      this.count('dropped');
      return null;
    }
    this.count(String(response.status));
    if (response.status >= 400 && !PROBLEM_JSON.test(response.headers['content-type'] ?? '')) {
      this.unexpected.push(`${response.status} answered as ${response.headers['content-type']}`);
    }
    return { status: response.status, body: (response.body ?? {}) as Answer['body'] };
  }

  private count(status: string): void {
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1);
  }
}

/** The traffic's figures on one line. */
export function formatTraffic(label: string, summary: TrafficSummary): string {
  const statuses = Object.entries(summary.byStatus)
    .map(([status, n]) => `${status}×${n}`)
    .join(' ');
  return (
    `traffic [${label}]: ${summary.flowsCompleted}/${summary.flowsStarted} flows completed, ${summary.requests} ` +
    `requests (${statuses}); ${summary.unavailable} 503s, ${summary.serverErrors} other 5xx, ` +
    `${summary.dropped} dropped, ${summary.unexpected.length} unexpected`
  );
}
