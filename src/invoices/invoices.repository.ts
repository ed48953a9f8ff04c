import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, In, type SelectQueryBuilder } from 'typeorm';
import { containsPattern } from '../database/like-pattern.js';
import type { CalendarDate } from './invoice-dates.js';
import type { InvoiceStatus } from './invoice-status.js';
import { InvoiceLine } from './invoice-line.entity.js';
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

/** Invoice queries, always inside one organization, always with the lines and customer a response needs. */
@Injectable()
export class InvoicesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findInOrganization(organizationId: string, id: string, manager?: EntityManager): Promise<Invoice | null> {
    return this.withDetails(manager)
      .where('invoice.organizationId = :organizationId AND invoice.id = :id', { organizationId, id })
      .getOne();
  }

  /** The invoice by id alone, for workers, whose jobs name invoices they were handed by the system. */
  findWithDetails(id: string, manager?: EntityManager): Promise<Invoice | null> {
    return this.withDetails(manager).where('invoice.id = :id', { id }).getOne();
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

  /**
   * Newest first, `limit + 1` rows so the caller knows whether another page follows. The page is chosen
   * on the invoices alone (an index walk), then its lines are read in one more query: joining the lines
   * before the limit would make Postgres join every matching invoice first.
   */
  async list(organizationId: string, filter: InvoiceListFilter): Promise<Invoice[]> {
    const query = this.dataSource.manager
      .createQueryBuilder(Invoice, 'invoice')
      .innerJoinAndSelect('invoice.customer', 'customer')
      .where('invoice.organizationId = :organizationId', { organizationId })
      .orderBy('invoice.id', 'DESC')
      .limit(filter.limit + 1);
    if (filter.before) query.andWhere('invoice.id < :before', { before: filter.before });
    if (filter.status) query.andWhere('invoice.status = :status', { status: filter.status });
    if (filter.customerId)
      query.andWhere('invoice.customerId = :customerId', { customerId: filter.customerId });
    if (filter.overdue !== undefined) {
      const overdue = `(invoice.status = 'open' AND invoice.dueDate < :today)`;
      query.andWhere(filter.overdue ? overdue : `NOT ${overdue}`, { today: filter.today });
    }
    if (filter.q) {
      // Matching customers first (trigram index), then their invoices by id: both sides of the OR use an
      // index, where `customer.name ILIKE` on the join would scan the organization's invoices.
      const matchingCustomers = `ARRAY(SELECT c.id FROM customers c WHERE c.organization_id = :organizationId AND c.name ILIKE :pattern)`;
      query.andWhere(`(invoice.number ILIKE :pattern OR invoice.customerId = ANY(${matchingCustomers}))`, {
        pattern: containsPattern(filter.q),
      });
    }
    const { issueDateFrom, issueDateTo, dueDateFrom, dueDateTo } = filter;
    if (issueDateFrom) query.andWhere('invoice.issueDate >= :issueDateFrom', { issueDateFrom });
    if (issueDateTo) query.andWhere('invoice.issueDate <= :issueDateTo', { issueDateTo });
    if (dueDateFrom) query.andWhere('invoice.dueDate >= :dueDateFrom', { dueDateFrom });
    if (dueDateTo) query.andWhere('invoice.dueDate <= :dueDateTo', { dueDateTo });
    const invoices = await query.getMany();
    const lines = invoices.length
      ? await this.dataSource.manager.findBy(InvoiceLine, {
          invoiceId: In(invoices.map((invoice) => invoice.id)),
        })
      : [];
    const byId = new Map(invoices.map((invoice) => [invoice.id, invoice]));
    for (const invoice of invoices) invoice.lines = [];
    for (const line of lines) byId.get(line.invoiceId)!.lines!.push(line);
    return invoices;
  }

  private withDetails(manager?: EntityManager): SelectQueryBuilder<Invoice> {
    return (manager ?? this.dataSource.manager)
      .createQueryBuilder(Invoice, 'invoice')
      .innerJoinAndSelect('invoice.customer', 'customer')
      .leftJoinAndSelect('invoice.lines', 'line');
  }
}
