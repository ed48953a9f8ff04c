import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { EntityRows } from '../database/entity-rows.js';
import { preparedQuery } from '../database/prepared-query.js';
import { containsPattern } from '../database/like-pattern.js';
import { Invoice } from '../invoices/invoice.entity.js';
import { Customer } from './customer.entity.js';

export interface CustomerBalance {
  currency: string;
  outstanding: number;
  overdue: number;
  paid: number;
}

export interface CustomerListFilter {
  q?: string;
  archived: boolean;
  /** Continue below this id (keyset). */
  before?: string;
  limit: number;
}

/** Customer queries, always inside one organization. */
@Injectable()
export class CustomersRepository {
  private readonly customerRows: EntityRows<Customer>;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.customerRows = new EntityRows(dataSource, Customer, 'customer');
  }

  findInOrganization(organizationId: string, id: string): Promise<Customer | null> {
    return this.findOne(this.dataSource.manager, organizationId, id, '');
  }

  /**
   * The customer an invoice is being billed to, key-share locked until `manager`'s transaction ends: a delete
   * racing the invoice waits and then sees it (409), or this waits for the delete and finds nothing (404),
   * instead of the invoice's insert failing on its foreign key.
   */
  findForBilling(manager: EntityManager, organizationId: string, id: string): Promise<Customer | null> {
    return this.findOne(manager, organizationId, id, 'FOR KEY SHARE OF customer');
  }

  private async findOne(
    manager: EntityManager,
    organizationId: string,
    id: string,
    lock: string,
  ): Promise<Customer | null> {
    const rows = await preparedQuery<Record<string, unknown>>(
      manager,
      `SELECT ${this.customerRows.select} FROM customers customer WHERE customer.organization_id = $1 AND customer.id = $2 ${lock}`,
      [organizationId, id],
    );
    return rows.length ? this.customerRows.from(rows[0]) : null;
  }

  /** The same row, locked until the caller's transaction ends, so concurrent edits apply one after another. */
  lockInOrganization(manager: EntityManager, organizationId: string, id: string): Promise<Customer | null> {
    return manager.findOne(Customer, { where: { organizationId, id }, lock: { mode: 'pessimistic_write' } });
  }

  /** What the customer owes and has paid, per currency, over its issued invoices. */
  async balances(organizationId: string, customerId: string, today: string): Promise<CustomerBalance[]> {
    const rows: { currency: string; outstanding: string; overdue: string; paid: string }[] =
      await this.dataSource
        .createQueryBuilder()
        .select('invoice.currency', 'currency')
        .addSelect(
          `COALESCE(SUM(invoice.amount_due) FILTER (WHERE invoice.status IN ('open', 'uncollectible')), 0)`,
          'outstanding',
        )
        .addSelect(
          `COALESCE(SUM(invoice.amount_due) FILTER (WHERE invoice.status = 'open' AND invoice.due_date < :today), 0)`,
          'overdue',
        )
        .addSelect('COALESCE(SUM(invoice.amount_paid), 0)', 'paid')
        .from(Invoice, 'invoice')
        .where('invoice.organization_id = :organizationId AND invoice.customer_id = :customerId', {
          organizationId,
          customerId,
        })
        .andWhere(`invoice.status <> 'draft'`)
        .setParameter('today', today)
        .groupBy('invoice.currency')
        .orderBy('invoice.currency')
        .getRawMany();
    return rows.map((row) => ({
      currency: row.currency,
      outstanding: Number(row.outstanding),
      overdue: Number(row.overdue),
      paid: Number(row.paid),
    }));
  }

  hasInvoices(manager: EntityManager, organizationId: string, customerId: string): Promise<boolean> {
    return manager.existsBy(Invoice, { organizationId, customerId });
  }

  /** Newest first, `limit + 1` rows so the caller knows whether another page follows. */
  list(organizationId: string, filter: CustomerListFilter): Promise<Customer[]> {
    const query = this.dataSource
      .getRepository(Customer)
      .createQueryBuilder('customer')
      .where('customer.organizationId = :organizationId', { organizationId })
      .andWhere(filter.archived ? 'customer.archivedAt IS NOT NULL' : 'customer.archivedAt IS NULL')
      .orderBy('customer.id', 'DESC')
      .limit(filter.limit + 1);
    if (filter.before) query.andWhere('customer.id < :before', { before: filter.before });
    if (filter.q) {
      query.andWhere('(customer.name ILIKE :pattern OR customer.email ILIKE :pattern)', {
        pattern: containsPattern(filter.q),
      });
    }
    return query.getMany();
  }
}
