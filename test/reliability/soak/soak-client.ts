import { isDeepStrictEqual } from 'node:util';
import { PROBLEM_JSON } from '../../support/factories.js';
import { idempotencyTag, newIdempotencyKey } from '../ledger.js';
import type { Outcome, RequestLog } from './request-log.js';

/**
 * One client of the soak: the owner of an organization of its own, working over HTTP as an accounting tool
 * would. It keeps what it made (customers, drafts, issued invoices and what is due on them, payments and what is
 * left to refund) and picks each next step at random among those its objects allow: reads (an invoice, a list
 * of invoices or of payments, an issued invoice's PDF, a draft's preview) and writes (a customer, a draft,
 * finalize, a payment, a refund). Every POST carries an Idempotency-Key and tags what it makes with it, as the
 * ledger counts effects; it is sent again with the same key while the answer is a 503, a 409
 * idempotency_key_in_use or none; and one in ten is sent again after it succeeded, to prove the replay.
 */

const REQUEST_TIMEOUT_MS = 30_000;
const RETRY_EVERY_MS = 250;
const GIVE_UP_AFTER_MS = 120_000;
const REPLAY_SHARE = 0.1;
const MOST_DRAFTS = 10;
const MOST_CUSTOMERS = 5;

interface Answer {
  status: number;
  /** The parsed JSON, or the bytes of anything else. */
  body: unknown;
  headers: Headers;
}

type Json = Record<string, unknown>;

interface Step {
  kind: string;
  weight: number;
  /** Whether the client's objects allow the step now. */
  when: boolean;
  run(): Promise<void>;
}

const random = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)];
const between = (low: number, high: number) => low + Math.floor(Math.random() * (high - low + 1));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class SoakClient {
  private readonly customers: string[] = [];
  private readonly drafts: string[] = [];
  /** Issued invoices: what is due, and the ETag of the PDF last fetched. */
  private readonly issued = new Map<string, { due: number; etag?: string }>();
  /** Payments with something left to refund, and their invoice. */
  private readonly refundable = new Map<string, { invoiceId: string; left: number }>();

  constructor(
    private readonly baseUrl: string,
    private readonly bearer: string,
    private readonly log: RequestLog,
  ) {}

  /** Takes steps, `pauseMs` apart, while `running()` says so. */
  async run(running: () => boolean, pauseMs: number): Promise<void> {
    while (running()) {
      const steps = this.steps().filter((step) => step.when);
      let ticket = Math.random() * steps.reduce((sum, step) => sum + step.weight, 0);
      const step = steps.find((candidate) => (ticket -= candidate.weight) < 0) ?? steps[0];
      await step.run();
      await sleep(pauseMs);
    }
  }

  private steps(): Step[] {
    const open = [...this.issued].filter(([, invoice]) => invoice.due > 0).map(([id]) => id);
    const invoices = [...this.drafts, ...this.issued.keys()];
    return [
      {
        kind: 'customer.create',
        weight: 2,
        when: this.customers.length < MOST_CUSTOMERS,
        run: () => this.createCustomer(),
      },
      {
        kind: 'invoice.create',
        weight: 12,
        when: this.customers.length > 0 && this.drafts.length < MOST_DRAFTS,
        run: () => this.createInvoice(),
      },
      { kind: 'invoice.finalize', weight: 10, when: this.drafts.length > 0, run: () => this.finalize() },
      { kind: 'payment.create', weight: 12, when: open.length > 0, run: () => this.pay(random(open)) },
      { kind: 'payment.refund', weight: 5, when: this.refundable.size > 0, run: () => this.refund() },
      {
        kind: 'invoice.get',
        weight: 20,
        when: invoices.length > 0,
        run: () => this.getInvoice(random(invoices)),
      },
      { kind: 'invoice.list', weight: 12, when: true, run: () => this.listInvoices() },
      { kind: 'payment.list', weight: 4, when: this.issued.size > 0, run: () => this.listPayments() },
      { kind: 'invoice.pdf', weight: 12, when: this.issued.size > 0, run: () => this.getPdf() },
      { kind: 'invoice.preview', weight: 1, when: this.drafts.length > 0, run: () => this.preview() },
    ];
  }

  private async createCustomer(): Promise<void> {
    const customer = await this.post('customer.create', '/v1/customers', 201, (key) => ({
      name: `Soak ${key.slice(-6)} Ltd`,
      email: `${key}@soak.test`,
      metadata: idempotencyTag(key),
    }));
    if (customer) this.customers.push(customer.id as string);
  }

  private async createInvoice(): Promise<void> {
    const lines = Array.from({ length: between(1, 3) }, (_, i) => ({
      description: `Work ${i + 1}`,
      quantity: between(1, 4),
      unitAmount: between(100, 9_000),
      ...(Math.random() < 0.3 && { taxRate: 20 }),
    }));
    const invoice = await this.post('invoice.create', '/v1/invoices', 201, (key) => ({
      customerId: random(this.customers),
      lineItems: lines,
      daysUntilDue: 30,
      metadata: idempotencyTag(key),
    }));
    if (invoice) this.drafts.push(invoice.id as string);
  }

  private async finalize(): Promise<void> {
    const id = this.drafts.shift()!;
    const invoice = await this.post('invoice.finalize', `/v1/invoices/${id}/finalize`, 200);
    if (invoice) this.issued.set(id, { due: invoice.amountDue as number });
  }

  /** Pays what is due or half of it. */
  private async pay(invoiceId: string): Promise<void> {
    const invoice = this.issued.get(invoiceId)!;
    const amount = Math.random() < 0.5 ? invoice.due : Math.ceil(invoice.due / 2);
    const payment = await this.post('payment.create', '/v1/payments', 201, (key) => ({
      invoiceId,
      amount,
      method: 'bank_transfer',
      reference: key,
    }));
    if (!payment) return;
    invoice.due -= amount;
    this.refundable.set(payment.id as string, { invoiceId, left: amount });
  }

  /** Refunds all that is left of a payment, or half of it. */
  private async refund(): Promise<void> {
    const [paymentId, payment] = random([...this.refundable]);
    const all = Math.random() < 0.3 || payment.left === 1;
    const amount = all ? payment.left : Math.floor(payment.left / 2);
    const refunded = await this.post('payment.refund', `/v1/payments/${paymentId}/refunds`, 201, (key) => ({
      ...(!all && { amount }),
      reason: key,
    }));
    if (!refunded) return;
    this.issued.get(payment.invoiceId)!.due += amount;
    payment.left -= amount;
    if (payment.left === 0) this.refundable.delete(paymentId);
  }

  private async getInvoice(id: string): Promise<void> {
    const answer = await this.get('invoice.get', `/v1/invoices/${id}`, [200]);
    if (answer?.status === 200 && (answer.body as Json).id !== id) {
      this.log.keep(`invoice.get: asked for ${id}, answered ${(answer.body as Json).id}`);
    }
  }

  private async listInvoices(): Promise<void> {
    await this.get(
      'invoice.list',
      `/v1/invoices?limit=20${Math.random() < 0.5 ? '&status=open' : ''}`,
      [200],
    );
  }

  private async listPayments(): Promise<void> {
    await this.get('payment.list', `/v1/payments?invoiceId=${random([...this.issued.keys()])}`, [200]);
  }

  /** An issued invoice's PDF: 200 with the file, 202 while it renders, 304 when the ETag sent still matches. */
  private async getPdf(): Promise<void> {
    const [id, invoice] = random([...this.issued]);
    const answer = await this.get('invoice.pdf', `/v1/invoices/${id}/pdf`, [200, 202, 304], invoice.etag);
    if (answer?.status !== 200) return;
    if (!(answer.body as Buffer).subarray(0, 5).equals(Buffer.from('%PDF-'))) {
      this.log.keep(`invoice.pdf: ${id} answered 200 without a PDF`);
    }
    invoice.etag = answer.headers.get('etag') ?? undefined;
  }

  /** A draft's preview, printed on demand: 200, or 202 when the worker took longer than the api waits. */
  private async preview(): Promise<void> {
    await this.get('invoice.preview', `/v1/invoices/${random(this.drafts)}/pdf`, [200, 202]);
  }

  private async get(kind: string, path: string, expected: number[], etag?: string): Promise<Answer | null> {
    const answer = await this.send(kind, 'GET', path, etag ? { 'if-none-match': etag } : {});
    if (answer && !expected.includes(answer.status) && answer.status !== 503) this.unexpected(kind, answer);
    return answer;
  }

  /** POSTs until the expected answer comes, with one key throughout; the body, or null when it gave up. */
  private async post(
    kind: string,
    path: string,
    expected: number,
    body?: (key: string) => Json,
  ): Promise<Json | null> {
    const key = newIdempotencyKey();
    const payload = body?.(key);
    const deadline = Date.now() + GIVE_UP_AFTER_MS;
    for (;;) {
      const answer = await this.send(kind, 'POST', path, { 'idempotency-key': key }, payload);
      if (answer?.status === expected) {
        if (Math.random() < REPLAY_SHARE) await this.replay(kind, path, key, payload, answer);
        return answer.body as Json;
      }
      const retry =
        !answer ||
        answer.status === 503 ||
        (answer.status === 409 && (answer.body as Json).code === 'idempotency_key_in_use');
      if (answer && !retry) {
        this.unexpected(kind, answer);
        return null;
      }
      if (Date.now() > deadline) {
        this.log.keep(`${kind}: gave up after ${GIVE_UP_AFTER_MS} ms of retries`);
        return null;
      }
      await sleep(RETRY_EVERY_MS);
    }
  }

  /** Sends the request again with its key: the same status and body must come back, marked replayed. */
  private async replay(kind: string, path: string, key: string, payload: Json | undefined, first: Answer) {
    const again = await this.send(`${kind} (replay)`, 'POST', path, { 'idempotency-key': key }, payload);
    if (!again || again.status === 503) return;
    const matched =
      again.status === first.status &&
      again.headers.get('idempotent-replayed') === 'true' &&
      isDeepStrictEqual(again.body, first.body);
    this.log.replay(kind, matched, `${again.status} ${JSON.stringify(again.body).slice(0, 300)}`);
  }

  private unexpected(kind: string, answer: Answer): void {
    const body = answer.body instanceof Buffer ? `${answer.body.length} bytes` : JSON.stringify(answer.body);
    this.log.keep(`${kind}: unexpected ${answer.status} ${body.slice(0, 300)}`);
  }

  /** Sends one request and logs its outcome and latency; null when no answer came. */
  private async send(
    kind: string,
    method: 'GET' | 'POST',
    path: string,
    headers: Record<string, string>,
    payload?: Json,
  ): Promise<Answer | null> {
    const sentAt = Date.now();
    const started = performance.now();
    let outcome: Outcome = 'dropped';
    try {
      const response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          authorization: this.bearer,
          ...headers,
          ...(payload !== undefined && { 'content-type': 'application/json' }),
        },
        body: payload === undefined ? undefined : JSON.stringify(payload),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const type = response.headers.get('content-type') ?? '';
      const body = type.includes('json') ? await response.json() : Buffer.from(await response.arrayBuffer());
      outcome = response.status;
      if (response.status >= 400 && !PROBLEM_JSON.test(type)) {
        this.log.keep(`${kind}: ${response.status} answered as ${type}, not a problem document`);
      }
      return { status: response.status, body, headers: response.headers };
    } catch {
      return null;
    } finally {
      this.log.record(kind, outcome, sentAt, performance.now() - started);
    }
  }
}
