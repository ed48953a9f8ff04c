import { Module } from '@nestjs/common';
import { InvoicesCoreModule } from '../invoices/invoices-core.module.js';
import { NotificationsCoreModule } from '../notifications/notifications-core.module.js';
import { PaymentsRepository } from './payments.repository.js';
import { PaymentsService } from './payments.service.js';

/** Payments without HTTP routes: the API's controller and the payment-provider integrations share it. */
@Module({
  imports: [InvoicesCoreModule, NotificationsCoreModule],
  providers: [PaymentsService, PaymentsRepository],
  exports: [PaymentsService],
})
export class PaymentsCoreModule {}
