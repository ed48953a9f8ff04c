import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';

/** Standard Webhooks: a 2xx within 15 s is a success. */
export const DELIVERY_TIMEOUT_MS = 15_000;
/** At most this much of an answer is read; the rest is dropped with the connection. */
export const MAX_RESPONSE_BYTES = 64 * 1024;

export interface SendResult {
  /** Null when no answer came (timeout, refused connection, refused address). */
  statusCode: number | null;
  durationMs: number;
  /** The answer's first bytes, at most MAX_RESPONSE_BYTES. */
  body: Buffer;
  /** Whether the answer was longer than what was read. */
  truncated: boolean;
  retryAfter: string | null;
  error: string | null;
}

export interface WebhookSenderOptions {
  /** Resolves host names at connect time; the SSRF guard refuses forbidden addresses here (DNS rebinding). */
  lookup?: LookupFunction;
  /**
   * Runs before each request and throws to refuse the URL: node skips `lookup` for an IP-literal host, so
   * the SSRF guard checks the URL itself here.
   */
  checkUrl?: (url: string) => Promise<unknown>;
  /** The whole exchange's budget; only tests shorten it. */
  timeoutMs?: number;
}

/**
 * POSTs one webhook. Keep-alive agents reuse connections to busy endpoints; redirects are never followed
 * (node:http does not), so a 3xx comes back as its status.
 */
export class WebhookSender {
  private readonly timeoutMs: number;
  private readonly lookup: LookupFunction | undefined;
  private readonly checkUrl: (url: string) => Promise<unknown>;
  private readonly agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: 50 }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: 50 }),
  };

  constructor(options: WebhookSenderOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? DELIVERY_TIMEOUT_MS;
    this.lookup = options.lookup;
    this.checkUrl = options.checkUrl ?? (() => Promise.resolve());
  }

  async send(url: string, headers: Record<string, string>, body: string): Promise<SendResult> {
    const started = performance.now();
    const noAnswer = (error: string): SendResult => ({
      statusCode: null,
      durationMs: Math.round(performance.now() - started),
      body: Buffer.alloc(0),
      truncated: false,
      retryAfter: null,
      error,
    });
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return noAnswer(`Invalid URL: ${url}`);
    }
    const agent = this.agents[target.protocol as keyof WebhookSender['agents']];
    if (!agent) return noAnswer(`Unsupported protocol ${target.protocol}`);
    try {
      await this.checkUrl(url);
    } catch (error) {
      return noAnswer((error as Error).message);
    }

    return new Promise<SendResult>((resolve) => {
      const payload = Buffer.from(body);
      const request = (target.protocol === 'https:' ? https : http).request(target, {
        method: 'POST',
        agent,
        lookup: this.lookup,
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': String(payload.length),
          'user-agent': 'invoicing-webhooks/1',
        },
      });
      let settled = false;
      const finish = (result: SendResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const timer = setTimeout(() => {
        request.destroy();
        finish(noAnswer(`Timed out after ${this.timeoutMs} ms`));
      }, this.timeoutMs);

      request.on('error', (error) => finish(noAnswer(error.message)));
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const answer = (truncated: boolean) =>
          finish({
            statusCode: response.statusCode ?? null,
            durationMs: Math.round(performance.now() - started),
            body: Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BYTES),
            truncated,
            retryAfter: headerValue(response.headers['retry-after']),
            error: null,
          });
        response.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            // Enough read: drop the connection rather than download the rest.
            response.destroy();
            answer(true);
          }
        });
        response.on('end', () => answer(false));
        // A connection cut mid-answer still leaves the status line we got.
        response.on('error', () => answer(true));
        response.on('close', () => answer(!response.complete));
      });
      request.end(payload);
    });
  }

  /** Closes idle keep-alive connections (at shutdown). */
  close(): void {
    this.agents['http:'].destroy();
    this.agents['https:'].destroy();
  }
}

function headerValue(value: string | string[] | undefined): string | null {
  return (Array.isArray(value) ? value[0] : value) ?? null;
}
