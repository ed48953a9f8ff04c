import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { migrations } from '../../migrations/index.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { migrateTestDatabase } from '../support/database.js';
import { TEST_DATABASE_URL } from '../support/environment.js';

const withDatabaseName = (url: string, name: string) =>
  Object.assign(new URL(url), { pathname: `/${name}` }).toString();

/** The SQL TypeORM would run to make the database match the entities: none when they agree. */
async function pendingSchemaChanges(dataSource: DataSource): Promise<string[]> {
  const sql = await dataSource.driver.createSchemaBuilder().log();
  return sql.upQueries.map((query) => query.query);
}

/** Tables, columns, indexes and constraints of the public schema, as comparable text. */
async function schemaSnapshot(dataSource: DataSource): Promise<string[]> {
  const rows: { line: string }[] = await dataSource.query(`
    SELECT format('column %s.%s %s null=%s default=%s', table_name, column_name, data_type, is_nullable, column_default) AS line
      FROM information_schema.columns WHERE table_schema = 'public'
    UNION ALL
    SELECT format('index %s', indexdef) FROM pg_indexes WHERE schemaname = 'public'
    UNION ALL
    SELECT format('constraint %s %s %s', conrelid::regclass, conname, pg_get_constraintdef(oid))
      FROM pg_constraint WHERE connamespace = 'public'::regnamespace
    ORDER BY 1`);
  return rows.map((row) => row.line);
}

async function tableNames(dataSource: DataSource): Promise<string[]> {
  const rows: { name: string }[] = await dataSource.query(
    `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
  );
  return rows.map((row) => row.name);
}

describe('database schema', () => {
  describe('the test database after migrations', () => {
    let sut: DataSource;
    beforeAll(async () => {
      await migrateTestDatabase();
      sut = await new DataSource(dataSourceOptions(TEST_DATABASE_URL)).initialize();
    });
    afterAll(() => sut.destroy());

    it('agrees with the entities: the schema builder has nothing to change', async () => {
      // toEqual([]) prints each pending query when they disagree.
      expect(await pendingSchemaChanges(sut)).toEqual([]);
    });

    it('has run every migration', async () => {
      expect(await sut.showMigrations()).toBe(false);
    });
  });

  // Reverting drops every table, so it runs on a database of its own, never the shared test database.
  describe('migrations on a throwaway database', () => {
    const name = `${new URL(TEST_DATABASE_URL).pathname.slice(1)}_migrations_${randomUUID().slice(0, 8)}`;
    const admin = new pg.Client({ connectionString: withDatabaseName(TEST_DATABASE_URL, 'postgres') });
    let sut: DataSource | undefined;

    beforeAll(async () => {
      await admin.connect();
      await admin.query(`CREATE DATABASE "${name}"`);
      sut = await new DataSource(dataSourceOptions(withDatabaseName(TEST_DATABASE_URL, name))).initialize();
    });
    afterAll(async () => {
      await sut?.destroy();
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    });

    it('revert one at a time down to an empty schema, then run again to the same schema', async () => {
      const dataSource = sut!;
      expect(await dataSource.runMigrations()).toHaveLength(migrations.length);
      const migrated = await schemaSnapshot(dataSource);

      for (let left = migrations.length - 1; left >= 0; left--) {
        await dataSource.undoLastMigration();
        const [{ count }] = await dataSource.query('SELECT count(*)::int AS count FROM migrations');
        expect(count).toBe(left);
      }
      expect(await tableNames(dataSource)).toEqual(['migrations']);

      expect(await dataSource.runMigrations()).toHaveLength(migrations.length);
      expect(await schemaSnapshot(dataSource)).toEqual(migrated);
      expect(await pendingSchemaChanges(dataSource)).toEqual([]);
    });
  });
});
