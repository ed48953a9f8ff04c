import type { Response } from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { type Account, actingAs, signUpOwner } from '../../support/factories.js';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import { Receiver } from '../../support/webhook-receiver.js';
import { checkLedger, formatLedger, type LedgerCounts } from '../ledger.js';
import { report, subscribe } from '../scenario.js';

/**
 * What the race specs share: the app on the test database, delivering webhooks to local receivers; organizations
 * each with a receiver subscribed to everything, whose ledger and rows a race ends by checking; and the
 * helpers that fire requests at once and count their answers.
 */

/** Fires every request at once and waits for all the answers. */
export const all = (requests: (() => PromiseLike<Response>)[]) => Promise.all(requests.map((send) => send()));

export const times = <T>(n: number, make: (i: number) => T) => Array.from({ length: n }, (_, i) => make(i));

/** The answers of concurrent requests, counted by outcome: `201`, `422 overpayment`, … */
export function outcomes(responses: Response[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { status, body } of responses) {
    const key = status < 300 ? String(status) : `${status} ${body?.code}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** Every row an organization's races can write, counted; events by type. */
export interface RowCounts {
  customers: number;
  invoices: number;
  payments: number;
  refunds: number;
  idempotencyKeys: number;
  events: Record<string, number>;
}

/** Exact row counts: none but those given; events counted 0 are left out, as the database has none to count. */
export const rowsWith = ({ events = {}, ...counts }: Partial<RowCounts>): RowCounts => ({
  customers: 0,
  invoices: 0,
  payments: 0,
  refunds: 0,
  idempotencyKeys: 0,
  ...counts,
  events: Object.fromEntries(Object.entries(events).filter(([, n]) => n > 0)),
});

const ROW_COUNTS = `
  SELECT (SELECT count(*) FROM customers WHERE organization_id = $1)::int AS customers,
         (SELECT count(*) FROM invoices WHERE organization_id = $1)::int AS invoices,
         (SELECT count(*) FROM payments WHERE organization_id = $1)::int AS payments,
         (SELECT count(*) FROM refunds WHERE organization_id = $1)::int AS refunds,
         (SELECT count(*) FROM idempotency_keys WHERE scope = $1)::int AS "idempotencyKeys",
         (SELECT coalesce(jsonb_object_agg(type, n), '{}') FROM (
            SELECT type, count(*)::int AS n FROM events WHERE organization_id = $1 GROUP BY type) by_type
         ) AS events`;

export interface RaceOrganization {
  http: TestAgent;
  owner: Account;
  as: ReturnType<typeof actingAs>;
  /** The organization's rows now. */
  rows(): Promise<RowCounts>;
  /** The ledger of the organization, once its webhooks are delivered: its violations (none, or a sentence each). */
  ledger(): Promise<string[]>;
}

export class RaceKit {
  sut!: TestApp;
  private readonly receivers: Receiver[] = [];
  private readonly ledgers: LedgerCounts[] = [];

  async start(): Promise<this> {
    this.sut = await startTestApp({ WEBHOOK_ALLOW_PRIVATE_URLS: 'true' });
    return this;
  }

  /** Prints what the ledgers counted over the spec, then stops everything. */
  async close(label: string): Promise<void> {
    if (this.ledgers.length)
      report(formatLedger(`${label}: ${this.ledgers.length} races`, sum(this.ledgers)));
    await this.sut?.close();
    await Promise.all(this.receivers.map((receiver) => receiver.close()));
  }

  /** A new organization whose every event is delivered to a receiver of its own. */
  async organization(name = 'Acme'): Promise<RaceOrganization> {
    const { http, db } = this.sut;
    const owner = await signUpOwner(http, name);
    const receiver = await new Receiver().start();
    this.receivers.push(receiver);
    const endpointId = await subscribe(http, owner, receiver);
    return {
      http,
      owner,
      as: actingAs(http, owner),
      rows: async () => (await db.query<RowCounts>(ROW_COUNTS, [owner.organizationId])).rows[0],
      ledger: async () => {
        const { violations, counts } = await checkLedger(db, {
          organizationIds: [owner.organizationId],
          receivers: [{ endpointId, received: receiver.received }],
        });
        this.ledgers.push(counts);
        return violations;
      },
    };
  }
}

/** The counts of several ledgers added up. */
function sum(ledgers: LedgerCounts[]): LedgerCounts {
  const add = <T extends object>(a: T, b: T): T =>
    Object.fromEntries(
      Object.entries(a).map(([key, value]) => [
        key,
        typeof value === 'number' ? value + (b[key as keyof T] as number) : add(value, b[key as keyof T]),
      ]),
    ) as T;
  return ledgers.reduce((total, counts) => add(total, counts));
}
