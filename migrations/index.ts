import type { MigrationInterface } from 'typeorm';
import { Foundation1795598383744 } from './1795598383744-Foundation.js';
import { IdempotencyKeys1795599542122 } from './1795599542122-IdempotencyKeys.js';
import { Invoices1795599646202 } from './1795599646202-Invoices.js';

// Every migration, in order. `npm run migration:generate -- migrations/Name` writes a new file; add it here.
export const migrations: (new () => MigrationInterface)[] = [
  Foundation1795598383744,
  IdempotencyKeys1795599542122,
  Invoices1795599646202,
];
