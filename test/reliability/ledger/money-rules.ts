import type pg from 'pg';
import { inScope, type Scope, violationsOf } from './scope.js';

/**
 * The money adds up: no invoice is paid more than its total, what an invoice shows as paid is what its payments
 * brought in minus what was refunded of them, and each status agrees with the amounts. (The database's CHECKs
 * refuse some of this too; the ledger does not rely on them.)
 */

const INVOICE_BALANCES = `
  WITH received AS (
    SELECT invoice_id, sum(amount) AS amount FROM payments
     WHERE status NOT IN ('failed', 'pending') GROUP BY invoice_id
  ), given_back AS (
    SELECT payment.invoice_id, sum(refund.amount) AS amount
      FROM refunds refund JOIN payments payment ON payment.id = refund.payment_id
     GROUP BY payment.invoice_id
  ), balances AS (
    SELECT invoice.id, invoice.status, invoice.total, invoice.amount_paid, invoice.amount_due,
           coalesce(received.amount, 0) - coalesce(given_back.amount, 0) AS net
      FROM invoices invoice
      LEFT JOIN received ON received.invoice_id = invoice.id
      LEFT JOIN given_back ON given_back.invoice_id = invoice.id
     WHERE ${inScope('invoice.organization_id')}
  )
  SELECT violation FROM (
    SELECT id, format('invoice %s is paid %s of its total %s', id, amount_paid, total) AS violation
      FROM balances WHERE amount_paid > total
    UNION ALL
    SELECT id, format('invoice %s shows %s paid, but its payments less refunds come to %s', id, amount_paid, net)
      FROM balances WHERE amount_paid <> net
    UNION ALL
    SELECT id, format('invoice %s has %s due of %s with %s paid', id, amount_due, total, amount_paid)
      FROM balances WHERE amount_due <> total - amount_paid
    UNION ALL
    SELECT id, format('invoice %s is %s with %s due', id, status, amount_due)
      FROM balances WHERE status IN ('open', 'uncollectible', 'paid') AND (status = 'paid') <> (amount_due = 0)
    UNION ALL
    SELECT id, format('invoice %s is %s yet %s was paid on it', id, status, amount_paid)
      FROM balances WHERE status IN ('draft', 'void') AND amount_paid <> 0
  ) found ORDER BY id, violation`;

const PAYMENT_REFUNDS = `
  WITH given_back AS (SELECT payment_id, sum(amount) AS amount FROM refunds GROUP BY payment_id),
  payments_in_scope AS (
    SELECT payment.id, payment.status, payment.amount, payment.amount_refunded,
           coalesce(given_back.amount, 0) AS refunded
      FROM payments payment LEFT JOIN given_back ON given_back.payment_id = payment.id
     WHERE ${inScope('payment.organization_id')}
  )
  SELECT violation FROM (
    SELECT id, format('payment %s shows %s refunded, but its refunds come to %s', id, amount_refunded, refunded)
      AS violation
      FROM payments_in_scope WHERE amount_refunded <> refunded
    UNION ALL
    SELECT id, format('payment %s of %s has %s refunded', id, amount, refunded)
      FROM payments_in_scope WHERE refunded > amount
    UNION ALL
    SELECT id, format('payment %s is %s with %s of %s refunded', id, status, amount_refunded, amount)
      FROM payments_in_scope
     WHERE status <> CASE WHEN status IN ('failed', 'pending') THEN status
                          WHEN amount_refunded = 0 THEN 'succeeded'
                          WHEN amount_refunded = amount THEN 'refunded'
                          ELSE 'partially_refunded' END
        OR (status IN ('failed', 'pending') AND refunded <> 0)
  ) found ORDER BY id, violation`;

export async function moneyViolations(db: pg.ClientBase, scope: Scope): Promise<string[]> {
  return [
    ...(await violationsOf(db, scope, INVOICE_BALANCES)),
    ...(await violationsOf(db, scope, PAYMENT_REFUNDS)),
  ];
}
