import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { Customer } from './customer.entity.js';

export interface CustomerListFilter {
  q?: string;
  archived: boolean;
  /** Continue below this id (keyset). */
  before?: string;
  limit: number;
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Customer queries, always inside one organization. */
@Injectable()
export class CustomersRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findInOrganization(organizationId: string, id: string): Promise<Customer | null> {
    return this.dataSource.manager.findOneBy(Customer, { organizationId, id });
  }

  /** The same row, locked until the caller's transaction ends, so concurrent edits apply one after another. */
  lockInOrganization(manager: EntityManager, organizationId: string, id: string): Promise<Customer | null> {
    return manager.findOne(Customer, { where: { organizationId, id }, lock: { mode: 'pessimistic_write' } });
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
        pattern: `%${escapeLike(filter.q)}%`,
      });
    }
    return query.getMany();
  }
}
