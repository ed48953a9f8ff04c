import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { Webhook } from 'standardwebhooks';

export interface Received {
  webhookId: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The body, parsed. */
  payload: { id: string; type: string; data: { object: Record<string, unknown> } };
  path: string;
  /** The signature checked with the endpoint's secret. */
  verified: boolean;
  at: number;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  /** A stream is piped for as long as it lasts or the client keeps reading (a trickle, a flood). */
  body?: string | Buffer | Readable;
  /** Answers only after this long. */
  delayMs?: number;
}

/**
 * What the receiver does with a request: answer (after `delayMs`), or hang (never answer). `nthForId` counts
 * the requests with this webhook-id, `n` all requests so far.
 */
export type Script = (webhookId: string, nthForId: number, n: number) => Answer | 'hang';

/** A webhook receiver on 127.0.0.1 that records every request and verifies its signature with `secret`. */
export class Receiver {
  readonly received: Received[] = [];
  secret = '';
  private readonly server: http.Server;

  constructor(private readonly script: Script = () => ({ status: 200 })) {
    this.server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        let verified = true;
        try {
          new Webhook(this.secret).verify(body, request.headers as Record<string, string>);
        } catch {
          verified = false;
        }
        const webhookId = String(request.headers['webhook-id']);
        this.received.push({
          webhookId,
          headers: request.headers,
          body,
          payload: JSON.parse(body),
          path: request.url ?? '',
          verified,
          at: Date.now(),
        });
        const nthForId = this.received.filter((r) => r.webhookId === webhookId).length;
        const answer = this.script(webhookId, nthForId, this.received.length);
        if (answer === 'hang') return;
        const { body: answerBody } = answer;
        const timer = setTimeout(() => {
          response.writeHead(answer.status, answer.headers);
          if (answerBody instanceof Readable) answerBody.pipe(response);
          else response.end(answerBody);
        }, answer.delayMs ?? 0);
        response.on('close', () => {
          clearTimeout(timer);
          if (answerBody instanceof Readable) answerBody.destroy();
        });
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  ids(): string[] {
    return this.received.map((request) => request.webhookId);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
