import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { TEST_DATABASE_URL } from './environment.js';

const MIGRATION_LOCK = 4_210_001;

/** Runs the real migrations once; workers starting together take turns on an advisory lock. */
export async function migrateTestDatabase(): Promise<void> {
  const dataSource = await new DataSource(dataSourceOptions(TEST_DATABASE_URL)).initialize();
  try {
    await dataSource.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await dataSource.runMigrations();
  } finally {
    await dataSource.destroy();
  }
}
