import type pg from 'pg';

/** Per table: its row count and a digest of every row, so any insert, update or delete shows. */
export type Fingerprint = Record<string, { rows: number; digest: string }>;

/** Per connection: the one query that fingerprints its database's tables, found once in the catalogue. */
const fingerprintQueries = new WeakMap<pg.ClientBase, { name: string; text: string }>();

async function fingerprintQuery(db: pg.ClientBase): Promise<{ name: string; text: string }> {
  const known = fingerprintQueries.get(db);
  if (known) return known;
  const { rows: tables } = await db.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  // A named (prepared) statement: Postgres plans the union of every table once, not per request.
  const query = {
    name: 'abuse-fingerprint',
    text: tables
      .map(
        ({ name }) =>
          `SELECT '${name}' AS name, count(*) AS rows,
                  md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))) AS digest FROM "${name}" t`,
      )
      .join(' UNION ALL '),
  };
  fingerprintQueries.set(db, query);
  return query;
}

/**
 * Fingerprints every table of the database (found in the catalogue, so a table added later is covered).
 * Meant for a private, migrated database that only the test's own app writes to.
 */
export async function fingerprint(db: pg.ClientBase): Promise<Fingerprint> {
  const { rows } = await db.query<{ name: string; rows: string; digest: string | null }>(
    await fingerprintQuery(db),
  );
  return Object.fromEntries(
    rows.map((row) => [row.name, { rows: Number(row.rows), digest: row.digest ?? '' }]),
  );
}

/** The tables whose rows differ between two fingerprints, with their row counts before and after. */
export function changedTables(before: Fingerprint, after: Fingerprint): string[] {
  return Object.keys({ ...before, ...after })
    .filter((name) => before[name]?.digest !== after[name]?.digest)
    .map((name) => `${name} (${before[name]?.rows ?? 0} → ${after[name]?.rows ?? 0} rows)`);
}

/** Runs `act` and answers its result with the tables that changed meanwhile (see changedTables). */
export async function watchWrites<T>(
  db: pg.ClientBase,
  act: () => PromiseLike<T>,
): Promise<{ result: T; changed: string[] }> {
  const before = await fingerprint(db);
  const result = await act();
  return { result, changed: changedTables(before, await fingerprint(db)) };
}
