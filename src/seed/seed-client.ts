import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/** A seed step the API refused, or anything else that stops the seed; its message is for the operator. */
export class SeedError extends Error {
  override name = 'SeedError';
}

type Method = 'GET' | 'POST' | 'PATCH';

/** Rate-limited answers (signup is 20 a minute per address) are waited out this many times, then fatal. */
const RATE_LIMIT_RETRIES = 2;
const MAX_RETRY_AFTER_SECONDS = 65;

/**
 * Requests to the in-process app listening on an ephemeral loopback port: the real routes, guards, pipes,
 * idempotency and events. Every POST carries a fresh Idempotency-Key, as clients should.
 */
export class SeedClient {
  private constructor(private readonly baseUrl: string) {}

  /** Listens on a free loopback port (not Fastify's inject: its cookie dependency does not load under jest). */
  static async listen(app: NestFastifyApplication): Promise<SeedClient> {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.getHttpServer().address();
    if (address === null || typeof address === 'string')
      throw new SeedError('The seed app is not on a TCP port');
    return new SeedClient(`http://127.0.0.1:${address.port}`);
  }

  get<T>(url: string, token?: string): Promise<T> {
    return this.send<T>('GET', url, 200, undefined, token);
  }

  post<T>(url: string, body: object | undefined, token: string | undefined, expected: 200 | 201 = 201) {
    return this.send<T>('POST', url, expected, body, token);
  }

  patch<T>(url: string, body: object, token: string): Promise<T> {
    return this.send<T>('PATCH', url, 200, body, token);
  }

  private async send<T>(
    method: Method,
    url: string,
    expected: number,
    body: object | undefined,
    token: string | undefined,
  ): Promise<T> {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method === 'POST') headers['idempotency-key'] = randomUUID();
    for (let attempt = 0; ; attempt++) {
      const response = await fetch(`${this.baseUrl}${url}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      if (response.status === expected) return JSON.parse(text) as T;
      const retryAfter = Number(response.headers.get('retry-after'));
      if (response.status === 429 && attempt < RATE_LIMIT_RETRIES && retryAfter <= MAX_RETRY_AFTER_SECONDS) {
        process.stderr.write(`${method} ${url} is rate limited; waiting ${retryAfter} s\n`);
        await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
        continue;
      }
      throw new SeedError(`${method} ${url} answered ${response.status}: ${problemText(text)}`);
    }
  }
}

/** The problem document's code, detail and field errors on one line, or the raw body. */
function problemText(body: string): string {
  try {
    const problem = JSON.parse(body) as {
      code?: string;
      detail?: string;
      errors?: { field: string; message: string }[];
    };
    const fields = (problem.errors ?? []).map((error) => `${error.field}: ${error.message}`).join('; ');
    return [problem.code, problem.detail, fields].filter(Boolean).join(' - ');
  } catch {
    return body.slice(0, 500);
  }
}
