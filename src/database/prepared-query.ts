import type pg from 'pg';
import type { EntityManager } from 'typeorm';

// One name per distinct SQL text, the same in every connection of the process.
const names = new Map<string, string>();

/**
 * Runs `text` as a named prepared statement: Postgres parses and plans it once per connection instead of on
 * every call. For the queries every request makes (the session check, an invoice by id), where planning a
 * wide join costs Postgres more than running it. In `manager`'s transaction when it has one.
 */
export async function preparedQuery<T>(
  manager: EntityManager,
  text: string,
  values: unknown[],
): Promise<T[]> {
  let name = names.get(text);
  if (!name) names.set(text, (name = `prepared_${names.size + 1}`));
  const client: pg.Pool | pg.PoolClient = manager.queryRunner
    ? await manager.queryRunner.connect()
    : (manager.connection.driver as unknown as { master: pg.Pool }).master;
  return (await client.query({ name, text, values })).rows as T[];
}
