import type TestAgent from 'supertest/lib/agent.js';
import type { Account } from '../support/factories.js';
import type { Receiver } from '../support/webhook-receiver.js';

/** What the fault scenarios share: a receiver subscribed through the API, and their one-line reports. */

/** Registers `receiver` as an endpoint for `events` (all by default), keeping the secret shown once. */
export async function subscribe(
  http: TestAgent,
  account: Account,
  receiver: Receiver,
  events: string[] = ['*'],
): Promise<string> {
  const response = await http
    .post('/v1/webhook-endpoints')
    .set('Authorization', account.bearer)
    .send({ url: receiver.url, events })
    .expect(201);
  receiver.secret = response.body.secret;
  return response.body.id;
}

/** Prints a scenario's figures, one line each, for the docs to quote. */
export function report(...lines: string[]): void {
  process.stdout.write(`${lines.join('\n')}\n`);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
