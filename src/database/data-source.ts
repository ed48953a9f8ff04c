import { DataSource } from 'typeorm';
import { loadDatabaseUrl } from '../config/app-config.js';
import { dataSourceOptions } from './data-source-options.js';

// The TypeORM CLI (npm run migration:*) loads this default export from dist/.
export default new DataSource(dataSourceOptions(loadDatabaseUrl()));
