import type { MigrationInterface } from 'typeorm';
import { Foundation1795598383744 } from './1795598383744-Foundation.js';

// Every migration, in order. `npm run migration:generate -- migrations/Name` writes a new file; add it here.
export const migrations: (new () => MigrationInterface)[] = [Foundation1795598383744];
