import { Module } from '@nestjs/common';
import { CustomersModule } from '../customers/customers.module.js';
import { InvoicesCoreModule } from './invoices-core.module.js';
import { CustomerInvoicesController, InvoicesController } from './invoices.controller.js';
import { InvoicesService } from './invoices.service.js';

@Module({
  imports: [CustomersModule, InvoicesCoreModule],
  controllers: [InvoicesController, CustomerInvoicesController],
  providers: [InvoicesService],
})
export class InvoicesModule {}
