#!/usr/bin/env bash
# Builds a database of 1,000,000 invoices with the real migrations and prints how long Postgres takes
# to answer GET /v1/invoices' query for each filter on the largest organization (600,000 invoices).
# Usage: bash bench/invoice-list-plans.sh   (needs local Postgres; takes about a minute)
set -euo pipefail
cd "$(dirname "$0")/.."
db=invoicing_bench_plans
psql() { command psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
psql -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db" npm run --silent migration:run >/dev/null
psql -d "$db" -f bench/invoice-list-seed.sql

org="'00000000-0000-7000-8000-000000000001'"
customer="'00000000-0001-7000-8000-000000000192'"
customers_matching="ARRAY(SELECT c.id FROM customers c WHERE c.organization_id = $org AND c.name ILIKE '%0123456%')"
plan() {
  local ms
  ms=$(psql -d "$db" -c "EXPLAIN (ANALYZE, COSTS OFF) SELECT i.*, c.* FROM invoices i JOIN customers c ON c.id = i.customer_id
    WHERE i.organization_id = $org $2 ORDER BY i.id DESC LIMIT 21" | sed -n 's/^Execution Time: //p')
  printf '%-22s %s\n' "$1" "$ms"
}
plan "first page" ""
plan "deep page" "AND i.id < '00000000-0002-7000-8000-000000001000'"
plan "status=void" "AND i.status = 'void'"
plan "customerId" "AND i.customer_id = $customer"
plan "overdue=true" "AND i.status = 'open' AND i.due_date < current_date"
plan "issueDate range" "AND i.issue_date BETWEEN '2021-01-01' AND '2021-01-31'"
plan "q (rare match)" "AND (i.number ILIKE '%0123456%' OR i.customer_id = ANY($customers_matching))"
psql -d postgres -c "DROP DATABASE $db WITH (FORCE)"
