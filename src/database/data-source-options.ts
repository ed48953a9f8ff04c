import type { DataSourceOptions } from 'typeorm';
import { migrations } from '../../migrations/index.js';
import { entities } from './entities.js';
import { GuardedClient } from './guarded-client.js';
import { SnakeNamingStrategy } from './snake-naming.strategy.js';

/** The one set of connection options, shared by the app, the CLI and the tests. */
export function dataSourceOptions(databaseUrl: string): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities,
    migrations,
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    migrationsTransactionMode: 'each',
    extra: { max: 20, Client: GuardedClient },
  };
}
