-- A million invoices: one organization with 600,000 of them and 400 with 1,000 each (used by invoice-list-plans.sh).
INSERT INTO organizations (id, name) SELECT ('00000000-0000-7000-8000-' || lpad(to_hex(g), 12, '0'))::uuid, 'Org ' || g FROM generate_series(1, 401) g;
INSERT INTO customers (id, organization_id, name, email)
  SELECT ('00000000-0001-7000-8000-' || lpad(to_hex(g), 12, '0'))::uuid,
         ('00000000-0000-7000-8000-' || lpad(to_hex(1 + (g % 401)), 12, '0'))::uuid,
         'Customer ' || g, 'c' || g || '@example.test'
  FROM generate_series(1, 20000) g;
INSERT INTO invoices (id, organization_id, customer_id, number, status, currency, issue_date, due_date, subtotal, discount_total, tax_total, total, amount_paid, amount_due, pdf_status)
  SELECT ('00000000-0002-7000-8000-' || lpad(to_hex(g), 12, '0'))::uuid,
         ('00000000-0000-7000-8000-' || lpad(to_hex(o), 12, '0'))::uuid,
         ('00000000-0001-7000-8000-' || lpad(to_hex(o + 401 * (g % 49)), 12, '0'))::uuid,
         CASE WHEN g % 10 = 0 THEN NULL ELSE 'INV-' || lpad(g::text, 7, '0') END,
         CASE WHEN g % 10 = 0 THEN 'draft' WHEN g % 10 < 5 THEN 'open' WHEN g % 10 < 9 THEN 'paid' ELSE 'void' END,
         'USD', date '2020-01-01' + (g % 2000), date '2020-01-31' + (g % 2000), 1000, 0, 0, 1000,
         CASE WHEN g % 10 BETWEEN 5 AND 8 THEN 1000 ELSE 0 END,
         CASE WHEN g % 10 BETWEEN 5 AND 8 THEN 0 ELSE 1000 END,
         CASE WHEN g % 10 = 0 THEN NULL ELSE 'failed' END
  FROM generate_series(1, 1000000) g, LATERAL (SELECT CASE WHEN g <= 600000 THEN 1 ELSE 2 + (g % 400) END AS o) x;
UPDATE invoices SET overdue_at = now() WHERE status = 'open' AND due_date < date '2025-01-01';
ANALYZE;
