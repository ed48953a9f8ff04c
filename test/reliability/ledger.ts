/**
 * The ledger check (issue 9): after any scenario, was anything lost, doubled or half-written?
 *
 *   const { violations, counts } = await checkLedger(sut.db, {
 *     receivers: [{ endpointId, received: receiver.received }], // what each test receiver recorded
 *     organizationIds: [owner.organizationId], // optional: only these organizations (a shared database)
 *     pdfsSettled: true, // optional: a worker renders PDFs here, so none may stay pending
 *   });
 *   console.log(formatLedger('redis restarted', counts));
 *   expect(violations).toEqual([]);
 *
 * It first waits, up to `settleTimeoutMs`, for the pipeline to finish: every event relayed, every delivery the
 * relay owes made and over (succeeded, or failed for good), and with `pdfsSettled` no PDF pending. Then it
 * checks, reading the database with `db` (a client of its own, outside any transaction of the app's):
 * - every committed change has its event, and no event tells of one that did not commit (ledger/event-rules);
 * - every event reached a terminal delivery at each subscribed endpoint, every delivery recorded succeeded was
 *   received, and each request received was owed and signed (ledger/delivery-rules);
 * - no invoice is paid more than its total, and the amounts paid are the payments less the refunds
 *   (ledger/money-rules);
 * - no Idempotency-Key produced two effects (ledger/idempotency-rules: traffic tags what it makes with its key).
 * Violations are sentences naming the rows; an empty list is a clean ledger.
 */
import type pg from 'pg';
import { waitFor } from '../support/processes.js';
import {
  pipelineViolations,
  type ReceivedCounts,
  type ReceiverRecord,
  receiverViolations,
  unsettledDeliveries,
} from './ledger/delivery-rules.js';
import { eventViolations } from './ledger/event-rules.js';
import { type IdempotencyCounts, idempotencyViolations } from './ledger/idempotency-rules.js';
import { moneyViolations } from './ledger/money-rules.js';
import { inScope, type Scope, scopedRows, violationsOf } from './ledger/scope.js';

export type { ReceiverRecord } from './ledger/delivery-rules.js';
export { idempotencyTag, newIdempotencyKey } from './ledger/idempotency-rules.js';

export interface LedgerOptions {
  /** Only these organizations' rows; the whole database when absent. */
  organizationIds?: string[];
  receivers?: readonly ReceiverRecord[];
  /** Whether every issued invoice's PDF must have been rendered (or failed for good). */
  pdfsSettled?: boolean;
  /** How long to wait for the pipeline to finish before checking; 30 s unless given. */
  settleTimeoutMs?: number;
}

export interface LedgerCounts {
  events: number;
  /** Events that reached at least one endpoint. */
  eventsDelivered: number;
  deliveries: { succeeded: number; failed: number; pending: number };
  received: ReceivedCounts;
  idempotency: IdempotencyCounts;
  pdfs: { ready: number; failed: number; pending: number };
}

export interface LedgerReport {
  violations: string[];
  counts: LedgerCounts;
}

export async function checkLedger(db: pg.ClientBase, options: LedgerOptions = {}): Promise<LedgerReport> {
  const scope: Scope = options.organizationIds ?? null;
  await settle(db, scope, options);
  const received = await receiverViolations(db, options.receivers ?? []);
  const idempotency = await idempotencyViolations(db, scope);
  const violations = [
    ...(await eventViolations(db, scope)),
    ...(await pipelineViolations(db, scope)),
    ...received.violations,
    ...(await moneyViolations(db, scope)),
    ...idempotency.violations,
    ...(options.pdfsSettled ? await violationsOf(db, scope, PDF_PENDING) : []),
  ];
  const counts = { ...(await tally(db, scope)), received: received.counts, idempotency: idempotency.counts };
  return { violations, counts };
}

/** The counts on one line, for a test to print and the docs to quote. */
export function formatLedger(
  label: string,
  { events, eventsDelivered, deliveries, received, idempotency, pdfs }: LedgerCounts,
) {
  return (
    `ledger [${label}]: ${events} events written, ${eventsDelivered} delivered; deliveries ` +
    `${deliveries.succeeded} succeeded, ${deliveries.failed} failed, ${deliveries.pending} pending; received ` +
    `${received.requests} requests, ${received.webhookIds} webhook-ids, ${received.duplicates} duplicates; ` +
    `${idempotency.keys} idempotency keys, ${idempotency.taggedEffects} tagged effects; PDFs ${pdfs.ready} ready, ` +
    `${pdfs.failed} failed, ${pdfs.pending} pending`
  );
}

const PDF_PENDING = `
  SELECT format('the PDF of invoice %s (version %s) is still pending', id, pdf_version) AS violation
    FROM invoices WHERE pdf_status = 'pending' AND ${inScope('organization_id')} ORDER BY id`;

/** Waits until nothing is left to do, or the time is up (then the violations say what was left). */
async function settle(db: pg.ClientBase, scope: Scope, options: LedgerOptions): Promise<void> {
  const done = async () => {
    const { unrelayed, missing, pending } = await unsettledDeliveries(db, scope);
    const pdfsPending = options.pdfsSettled ? (await violationsOf(db, scope, PDF_PENDING)).length : 0;
    return unrelayed + missing + pending + pdfsPending === 0;
  };
  await waitFor(done, options.settleTimeoutMs ?? 30_000, 'the ledger to settle', 200).catch(() => undefined);
}

const TALLY = `
  SELECT (SELECT count(*) FROM events WHERE ${inScope('organization_id')})::int AS events,
         (SELECT count(DISTINCT event_id) FROM webhook_deliveries
           WHERE status = 'succeeded' AND ${inScope('organization_id')})::int AS "eventsDelivered",
         (SELECT json_build_object(
                   'succeeded', count(*) FILTER (WHERE status = 'succeeded'),
                   'failed', count(*) FILTER (WHERE status = 'failed'),
                   'pending', count(*) FILTER (WHERE status = 'pending'))
            FROM webhook_deliveries WHERE ${inScope('organization_id')}) AS deliveries,
         (SELECT json_build_object(
                   'ready', count(*) FILTER (WHERE pdf_status = 'ready'),
                   'failed', count(*) FILTER (WHERE pdf_status = 'failed'),
                   'pending', count(*) FILTER (WHERE pdf_status = 'pending'))
            FROM invoices WHERE ${inScope('organization_id')}) AS pdfs`;

async function tally(db: pg.ClientBase, scope: Scope) {
  const [counts] = await scopedRows<Pick<LedgerCounts, 'events' | 'eventsDelivered' | 'deliveries' | 'pdfs'>>(
    db,
    scope,
    TALLY,
  );
  return counts;
}
