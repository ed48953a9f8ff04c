import type pg from 'pg';

/** The organizations a check looks at; null for the whole database. Always the query's parameter $1. */
export type Scope = string[] | null;

/** The SQL condition that keeps `column` (an organization id) within the scope in $1. */
export const inScope = (column: string) => `($1::uuid[] IS NULL OR ${column} = ANY ($1::uuid[]))`;

/** Runs a query whose $1 is the scope and answers its rows. */
export async function scopedRows<Row extends pg.QueryResultRow>(
  db: pg.ClientBase,
  scope: Scope,
  sql: string,
  parameters: unknown[] = [],
): Promise<Row[]> {
  return (await db.query<Row>(sql, [scope, ...parameters])).rows;
}

/** Runs a query whose rows are `{ violation }` messages and answers the messages. */
export async function violationsOf(
  db: pg.ClientBase,
  scope: Scope,
  sql: string,
  parameters: unknown[] = [],
): Promise<string[]> {
  return (await scopedRows<{ violation: string }>(db, scope, sql, parameters)).map((row) => row.violation);
}
