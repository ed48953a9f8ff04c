import { Module } from '@nestjs/common';
import { NotificationsCoreModule } from '../notifications/notifications-core.module.js';
import { InvoicesRepository } from './invoices.repository.js';
import { OverdueInvoices } from './overdue-invoices.js';

/** Invoice work without HTTP routes, so the worker role can run it. */
@Module({
  imports: [NotificationsCoreModule],
  providers: [InvoicesRepository, OverdueInvoices],
  exports: [InvoicesRepository, OverdueInvoices],
})
export class InvoicesCoreModule {}
