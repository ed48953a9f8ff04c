// Bulk invoices for the scale run, written with SQL (a million through the API would take an hour): issued
// invoices of 3 lines each, spread over the benchmark's organization and 9 others. Their ids sort before
// the API's UUIDv7 ids, their due dates are far off (the overdue sweep has nothing to do) and their PDFs
// count as rendered (the worker has nothing to do), so the app only serves while it is measured.
import type pg from 'pg';

const ORGANIZATIONS = 10;
const BATCH = 100_000;

const orgId = (n: number) => `00000000-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;
const customerId = (n: number) => `00000000-0001-7000-8000-${n.toString(16).padStart(12, '0')}`;

async function otherOrganizations(db: pg.Pool): Promise<void> {
  for (let n = 1; n < ORGANIZATIONS; n++) {
    await db.query(`INSERT INTO organizations (id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
      orgId(n),
      `Scale org ${n}`,
    ]);
    await db.query(
      `INSERT INTO customers (id, organization_id, name, email) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
      [customerId(n), orgId(n), `Scale customer ${n}`, `scale${n}@bench.test`],
    );
  }
}

/** Rows g in [from, to): organization g % 10 (0 is the benchmark's), open or paid, 3 lines each. */
async function insertRange(
  db: pg.Pool,
  benchOrganization: string,
  benchCustomer: string,
  from: number,
  to: number,
) {
  await db.query(
    `INSERT INTO invoices (id, organization_id, customer_id, number, status, currency, issue_date, due_date,
                           subtotal, discount_total, tax_total, total, amount_paid, amount_due,
                           finalized_at, pdf_status, pdf_version, pdf_sha256, pdf_generated_at)
     SELECT ('00000000-0002-7000-8000-' || lpad(to_hex(g), 12, '0'))::uuid,
            CASE WHEN g % ${ORGANIZATIONS} = 0 THEN $1::uuid
                 ELSE ('00000000-0000-7000-8000-' || lpad(to_hex(g % ${ORGANIZATIONS}), 12, '0'))::uuid END,
            CASE WHEN g % ${ORGANIZATIONS} = 0 THEN $2::uuid
                 ELSE ('00000000-0001-7000-8000-' || lpad(to_hex(g % ${ORGANIZATIONS}), 12, '0'))::uuid END,
            'S-' || g, CASE WHEN g % 2 = 0 THEN 'open' ELSE 'paid' END, 'USD',
            date '2026-01-01' + (g % 300), date '2099-01-01', 3000, 0, 0, 3000,
            CASE WHEN g % 2 = 0 THEN 0 ELSE 3000 END, CASE WHEN g % 2 = 0 THEN 3000 ELSE 0 END,
            now(), 'ready', 1, repeat('a', 64), now()
       FROM generate_series($3::int, $4::int - 1) g`,
    [benchOrganization, benchCustomer, from, to],
  );
  await db.query(
    `INSERT INTO invoice_lines (id, invoice_id, position, description, quantity, unit_amount, amount,
                                discount_amount, tax_amount)
     SELECT ('00000000-0003-7000-800' || p || '-' || lpad(to_hex(g), 12, '0'))::uuid,
            ('00000000-0002-7000-8000-' || lpad(to_hex(g), 12, '0'))::uuid,
            p, 'Line ' || p, 1, 1000, 1000, 0, 0
       FROM generate_series($1::int, $2::int - 1) g, generate_series(1, 3) p`,
    [from, to],
  );
}

/** Adds bulk invoices until the table holds `total` rows, then refreshes the planner's statistics. */
export async function growInvoices(db: pg.Pool, benchOrganization: string, total: number): Promise<void> {
  await otherOrganizations(db);
  const { rows } = await db.query(
    `SELECT (SELECT count(*)::int FROM invoices) AS count,
            (SELECT count(*)::int FROM invoices WHERE number LIKE 'S-%') AS bulk,
            (SELECT id FROM customers WHERE organization_id = $1 ORDER BY id LIMIT 1) AS customer`,
    [benchOrganization],
  );
  const { count, bulk, customer } = rows[0] as { count: number; bulk: number; customer: string };
  for (let from = bulk + 1, end = bulk + 1 + (total - count); from < end; from += BATCH)
    await insertRange(db, benchOrganization, customer, from, Math.min(from + BATCH, end));
  await db.query('VACUUM ANALYZE invoices, invoice_lines');
}
