import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Received {
  webhookId: string;
  /** The body, parsed. */
  payload: { id: string; type: string; data: { object: Record<string, unknown> } };
  verified: boolean;
  at: number;
}

/** What the receiver does with a request: answer a status (after `delayMs`), or hang (never answer). */
export type Script = (webhookId: string, nthForId: number) => { status: number; delayMs?: number } | 'hang';

/** A webhook receiver on 127.0.0.1 (for the fault and process tests) that verifies every signature with the endpoint's secret. */
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
        this.received.push({ webhookId, payload: JSON.parse(body), verified, at: Date.now() });
        const answer = this.script(webhookId, this.received.filter((r) => r.webhookId === webhookId).length);
        if (answer === 'hang') return;
        const timer = setTimeout(() => response.writeHead(answer.status).end(), answer.delayMs ?? 0);
        response.on('close', () => clearTimeout(timer));
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
