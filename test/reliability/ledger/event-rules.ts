import type pg from 'pg';
import { inScope, type Scope, violationsOf } from './scope.js';

/**
 * Every committed change has its event (the outbox rows the services write in the change's transaction), and
 * no event tells of a change that did not commit. Each event's `data` is the object as the API answered it,
 * so `data.id` names the row it is about.
 */

/** A constant of the rule tables as an SQL string literal. */
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

interface EventRule {
  /** The rows, as the message names them. */
  subject: string;
  table: 'customers' | 'invoices' | 'payments';
  /** Which rows of the table the rule is about (SQL over `subject`). */
  when: string;
  type: string;
  expected: 'exactly one' | 'at least one' | 'none';
  /** What the event must also show (SQL over `subject` and `event`). */
  showing?: string;
}

const EVENT_RULES: EventRule[] = [
  {
    subject: 'customer',
    table: 'customers',
    when: 'true',
    type: 'customer.created',
    expected: 'exactly one',
  },
  { subject: 'invoice', table: 'invoices', when: 'true', type: 'invoice.created', expected: 'exactly one' },
  {
    subject: 'issued invoice',
    table: 'invoices',
    when: 'subject.finalized_at IS NOT NULL',
    type: 'invoice.finalized',
    expected: 'exactly one',
  },
  {
    subject: 'draft',
    table: 'invoices',
    when: `subject.status = 'draft'`,
    type: 'invoice.finalized',
    expected: 'none',
  },
  {
    subject: 'sent invoice',
    table: 'invoices',
    when: 'subject.sent_at IS NOT NULL',
    type: 'invoice.sent',
    expected: 'at least one',
  },
  {
    subject: 'paid invoice',
    table: 'invoices',
    when: `subject.status = 'paid'`,
    type: 'invoice.paid',
    expected: 'at least one',
  },
  {
    subject: 'void invoice',
    table: 'invoices',
    when: 'subject.voided_at IS NOT NULL',
    type: 'invoice.voided',
    expected: 'exactly one',
  },
  {
    subject: 'uncollectible invoice',
    table: 'invoices',
    when: 'subject.marked_uncollectible_at IS NOT NULL',
    type: 'invoice.marked_uncollectible',
    expected: 'exactly one',
  },
  {
    subject: 'overdue invoice',
    table: 'invoices',
    when: 'subject.overdue_at IS NOT NULL',
    type: 'invoice.overdue',
    expected: 'exactly one',
  },
  {
    subject: 'invoice with a rendered PDF',
    table: 'invoices',
    when: `subject.pdf_status = 'ready'`,
    type: 'invoice.pdf_ready',
    expected: 'at least one',
    showing: `event.data->'pdf'->>'sha256' = subject.pdf_sha256`,
  },
  {
    subject: 'invoice whose PDF failed',
    table: 'invoices',
    when: `subject.pdf_status = 'failed'`,
    type: 'invoice.pdf_failed',
    expected: 'at least one',
  },
  {
    subject: 'payment received',
    table: 'payments',
    when: `subject.status NOT IN ('failed', 'pending')`,
    type: 'payment.succeeded',
    expected: 'exactly one',
  },
  {
    subject: 'failed payment',
    table: 'payments',
    when: `subject.status = 'failed'`,
    type: 'payment.succeeded',
    expected: 'none',
  },
  {
    subject: 'failed payment',
    table: 'payments',
    when: `subject.status = 'failed'`,
    type: 'payment.failed',
    expected: 'exactly one',
  },
];

const COUNT_OK: Record<EventRule['expected'], string> = {
  'exactly one': '= 1',
  'at least one': '>= 1',
  none: '= 0',
};

function eventRuleSql({ subject, table, when, type, expected, showing }: EventRule): string {
  return `
    SELECT format('%s %s has %s %s event(s), expected %s', ${literal(subject)}, subject.id, count(event.id),
                  ${literal(type)}, ${literal(expected)}) AS violation
      FROM ${table} subject
      LEFT JOIN events event
        ON event.type = ${literal(type)} AND event.data->>'id' = subject.id::text AND (${showing ?? 'true'})
     WHERE ${inScope('subject.organization_id')} AND (${when})
     GROUP BY subject.id
    HAVING NOT (count(event.id) ${COUNT_OK[expected]})
     ORDER BY subject.id`;
}

/** Each refund of a payment is announced by one payment.refunded event about that payment. */
const REFUNDS_ANNOUNCED = `
  WITH refunds AS (
    SELECT payment_id, count(*) AS n FROM refunds GROUP BY payment_id
  ), announced AS (
    SELECT data->>'id' AS payment_id, count(*) AS n FROM events WHERE type = 'payment.refunded' GROUP BY 1
  )
  SELECT format('payment %s has %s refund(s) and %s payment.refunded event(s)', payment.id,
                coalesce(refunds.n, 0), coalesce(announced.n, 0)) AS violation
    FROM payments payment
    LEFT JOIN refunds ON refunds.payment_id = payment.id
    LEFT JOIN announced ON announced.payment_id = payment.id::text
   WHERE ${inScope('payment.organization_id')} AND coalesce(refunds.n, 0) <> coalesce(announced.n, 0)
   ORDER BY payment.id`;

/**
 * No event tells of a change that did not commit: an event about a customer, invoice or payment names a row of
 * its own organization, or one whose deletion was announced too.
 */
const NO_PHANTOMS = `
  WITH about AS (
    SELECT event.id, event.type, event.organization_id, event.data->>'id' AS object_id,
           split_part(event.type, '.', 1) AS kind
      FROM events event
     WHERE ${inScope('event.organization_id')} AND split_part(event.type, '.', 1) IN ('customer', 'invoice', 'payment')
  ), objects AS (
    SELECT 'customer' AS kind, id::text AS id, organization_id FROM customers
    UNION ALL SELECT 'invoice', id::text, organization_id FROM invoices
    UNION ALL SELECT 'payment', id::text, organization_id FROM payments
  )
  SELECT format('event %s (%s) is about %s %s, which its organization does not have', about.id, about.type,
                about.kind, about.object_id) AS violation
    FROM about
   WHERE NOT EXISTS (SELECT 1 FROM objects
                      WHERE objects.kind = about.kind AND objects.id = about.object_id
                        AND objects.organization_id = about.organization_id)
     AND NOT EXISTS (SELECT 1 FROM events deleted
                      WHERE deleted.type = about.kind || '.deleted' AND deleted.data->>'id' = about.object_id
                        AND deleted.organization_id = about.organization_id)
   ORDER BY about.id`;

/**
 * The last change of each row was announced: some event about it shows its current updatedAt (to the
 * millisecond, as JSON keeps it). Invoices count once their PDF is settled: asking for a render (a payment,
 * POST …/pdf/render) moves the row without an invoice event, and the render's pdf_ready or pdf_failed
 * announces the invoice as it then is.
 */
function latestStateSql(kind: string, table: string, when: string): string {
  return `
    SELECT format('%s %s changed at %s, and no event shows it as it is', ${literal(kind)}, subject.id,
                  subject.updated_at) AS violation
      FROM ${table} subject
     WHERE ${inScope('subject.organization_id')} AND (${when})
       AND NOT EXISTS (
             SELECT 1 FROM events event
              WHERE event.data->>'id' = subject.id::text AND event.type LIKE ${literal(`${kind}.%`)}
                AND abs(extract(epoch FROM (event.data->>'updatedAt')::timestamptz - subject.updated_at)) < 0.0015)
     ORDER BY subject.id`;
}

const LATEST_STATE = [
  latestStateSql('customer', 'customers', 'true'),
  latestStateSql('invoice', 'invoices', `subject.pdf_status IS DISTINCT FROM 'pending'`),
  latestStateSql('payment', 'payments', 'true'),
];

/** Violations of every event rule. */
export async function eventViolations(db: pg.ClientBase, scope: Scope): Promise<string[]> {
  const queries = [...EVENT_RULES.map(eventRuleSql), REFUNDS_ANNOUNCED, NO_PHANTOMS, ...LATEST_STATE];
  const found: string[] = [];
  for (const sql of queries) found.push(...(await violationsOf(db, scope, sql)));
  return found;
}
