import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { Transactions } from '../database/transactions.js';
import { recordEvent } from '../events/outbox.js';
import { Notifier } from '../notifications/notifier.js';
import { toInvoiceResponse } from './dto/invoice.dto.js';
import { type CalendarDate, todayUtc } from './invoice-dates.js';
import { Invoice } from './invoice.entity.js';
import { InvoicesRepository } from './invoices.repository.js';

const BATCH_SIZE = 200;

/**
 * Announces each invoice that has fallen overdue, once: invoice.overdue and a notification to the owners and
 * admins, written with the flag that says so.
 */
@Injectable()
export class OverdueInvoices {
  constructor(
    private readonly transactions: Transactions,
    private readonly invoices: InvoicesRepository,
    private readonly notifier: Notifier,
  ) {}

  /** Returns how many invoices were announced. Concurrent runs skip each other's rows, so none twice. */
  async announce(today: CalendarDate = todayUtc()): Promise<number> {
    let announced = 0;
    for (;;) {
      const batch = await this.transactions.run(async (manager) => {
        const due: { invoice_id: string; invoice_organization_id: string }[] = await manager
          .createQueryBuilder(Invoice, 'invoice')
          .select(['invoice.id', 'invoice.organizationId'])
          .where(`invoice.status = 'open' AND invoice.dueDate < :today AND invoice.overdueAt IS NULL`, {
            today,
          })
          .orderBy('invoice.id')
          .limit(BATCH_SIZE)
          .setLock('pessimistic_write')
          .setOnLocked('skip_locked')
          .getRawMany();
        if (due.length === 0) return 0;
        await manager.update(
          Invoice,
          { id: In(due.map((row) => row.invoice_id)) },
          { overdueAt: new Date() },
        );
        for (const row of due) {
          const invoice = (await this.invoices.findInOrganization(
            row.invoice_organization_id,
            row.invoice_id,
            manager,
          ))!;
          const response = toInvoiceResponse(invoice, today);
          await recordEvent(manager, invoice.organizationId, 'invoice.overdue', response);
          await this.notifier.notifyManagers(manager, invoice.organizationId, {
            type: 'invoice.overdue',
            message: `Invoice ${response.number} for ${response.customer.name} is overdue (due ${response.dueDate})`,
            data: { invoiceId: invoice.id },
          });
        }
        return due.length;
      });
      announced += batch;
      if (batch < BATCH_SIZE) return announced;
    }
  }
}
