import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, type SelectQueryBuilder } from 'typeorm';
import type { CalendarDate } from './invoice-dates.js';
import type { InvoiceStatus } from './invoice-status.js';
import { Invoice } from './invoice.entity.js';

export interface InvoiceListFilter {
  status?: InvoiceStatus;
  customerId?: string;
  overdue?: boolean;
  q?: string;
  issueDateFrom?: CalendarDate;
  issueDateTo?: CalendarDate;
  dueDateFrom?: CalendarDate;
  dueDateTo?: CalendarDate;
  /** Continue below this id (keyset). */
  before?: string;
  limit: number;
  today: CalendarDate;
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Invoice queries, always inside one organization, always with the lines and customer a response needs. */
@Injectable()
export class InvoicesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findInOrganization(organizationId: string, id: string, manager?: EntityManager): Promise<Invoice | null> {
    return this.withDetails(manager)
      .where('invoice.organizationId = :organizationId AND invoice.id = :id', { organizationId, id })
      .getOne();
  }

  /** Locks the invoice row until the caller's transaction ends; true when it exists in the organization. */
  async lock(manager: EntityManager, organizationId: string, id: string): Promise<boolean> {
    const row = await manager.findOne(Invoice, {
      select: { id: true },
      where: { organizationId, id },
      lock: { mode: 'pessimistic_write' },
    });
    return row !== null;
  }

  /** Newest first, `limit + 1` rows so the caller knows whether another page follows. */
  list(organizationId: string, filter: InvoiceListFilter): Promise<Invoice[]> {
    const query = this.withDetails()
      .where('invoice.organizationId = :organizationId', { organizationId })
      // take() pages by distinct invoice only while the order is on invoice columns: ordering by a line
      // column too counts (invoice, line) pairs, so multi-line invoices fall off the page. The mapper sorts lines.
      .orderBy('invoice.id', 'DESC')
      .take(filter.limit + 1);
    if (filter.before) query.andWhere('invoice.id < :before', { before: filter.before });
    if (filter.status) query.andWhere('invoice.status = :status', { status: filter.status });
    if (filter.customerId)
      query.andWhere('invoice.customerId = :customerId', { customerId: filter.customerId });
    if (filter.overdue !== undefined) {
      const overdue = `(invoice.status = 'open' AND invoice.dueDate < :today)`;
      query.andWhere(filter.overdue ? overdue : `NOT ${overdue}`, { today: filter.today });
    }
    if (filter.q) {
      query.andWhere('(invoice.number ILIKE :pattern OR customer.name ILIKE :pattern)', {
        pattern: `%${escapeLike(filter.q)}%`,
      });
    }
    const { issueDateFrom, issueDateTo, dueDateFrom, dueDateTo } = filter;
    if (issueDateFrom) query.andWhere('invoice.issueDate >= :issueDateFrom', { issueDateFrom });
    if (issueDateTo) query.andWhere('invoice.issueDate <= :issueDateTo', { issueDateTo });
    if (dueDateFrom) query.andWhere('invoice.dueDate >= :dueDateFrom', { dueDateFrom });
    if (dueDateTo) query.andWhere('invoice.dueDate <= :dueDateTo', { dueDateTo });
    return query.getMany();
  }

  private withDetails(manager?: EntityManager): SelectQueryBuilder<Invoice> {
    return (manager ?? this.dataSource.manager)
      .createQueryBuilder(Invoice, 'invoice')
      .innerJoinAndSelect('invoice.customer', 'customer')
      .leftJoinAndSelect('invoice.lines', 'line');
  }
}
