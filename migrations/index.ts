import type { MigrationInterface } from 'typeorm';
import { Foundation1795598383744 } from './1795598383744-Foundation.js';
import { IdempotencyKeys1795599542122 } from './1795599542122-IdempotencyKeys.js';
import { Invoices1795599646202 } from './1795599646202-Invoices.js';
import { Notifications1795601594398 } from './1795601594398-Notifications.js';
import { Payments1795601601272 } from './1795601601272-Payments.js';
import { StripeEvents1795601875628 } from './1795601875628-StripeEvents.js';
import { Webhooks1795602801675 } from './1795602801675-Webhooks.js';
import { EventsNotify1795603055914 } from './1795603055914-EventsNotify.js';
import { InvoicePdfs1795608450985 } from './1795608450985-InvoicePdfs.js';
import { RequestIds1795612069606 } from './1795612069606-RequestIds.js';
import { IdempotencyClaim1796000000000 } from './1796000000000-IdempotencyClaim.js';
import { SessionsNotify1796100000000 } from './1796100000000-SessionsNotify.js';

// Every migration, in order. `npm run migration:generate -- migrations/Name` writes a new file; add it here.
export const migrations: (new () => MigrationInterface)[] = [
  Foundation1795598383744,
  IdempotencyKeys1795599542122,
  Invoices1795599646202,
  Notifications1795601594398,
  Payments1795601601272,
  StripeEvents1795601875628,
  Webhooks1795602801675,
  EventsNotify1795603055914,
  InvoicePdfs1795608450985,
  RequestIds1795612069606,
  IdempotencyClaim1796000000000,
  SessionsNotify1796100000000,
];
