import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, type SelectQueryBuilder } from 'typeorm';
import type { PaymentStatus } from './payment.entity.js';
import { Payment } from './payment.entity.js';

export interface PaymentListFilter {
  invoiceId?: string;
  customerId?: string;
  status?: PaymentStatus;
  before?: string;
  limit: number;
}

/** Payment queries, with the invoice and refunds a response needs. */
@Injectable()
export class PaymentsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findInOrganization(organizationId: string, id: string, manager?: EntityManager): Promise<Payment | null> {
    return this.withDetails(manager)
      .where('payment.organizationId = :organizationId AND payment.id = :id', { organizationId, id })
      .getOne();
  }

  /** Locks the payment row until the caller's transaction ends (refunds of one payment go one at a time). */
  lockInOrganization(manager: EntityManager, organizationId: string, id: string): Promise<Payment | null> {
    return manager.findOne(Payment, { where: { organizationId, id }, lock: { mode: 'pessimistic_write' } });
  }

  /** The payment a provider reported under its own id, locked. */
  lockByProviderId(
    manager: EntityManager,
    provider: string,
    providerPaymentId: string,
  ): Promise<Payment | null> {
    return manager.findOne(Payment, {
      where: { provider, providerPaymentId },
      lock: { mode: 'pessimistic_write' },
    });
  }

  /** Newest first, `limit + 1` rows so the caller knows whether another page follows. */
  list(organizationId: string, filter: PaymentListFilter): Promise<Payment[]> {
    const query = this.withDetails()
      .where('payment.organizationId = :organizationId', { organizationId })
      .orderBy('payment.id', 'DESC')
      .take(filter.limit + 1);
    const { before, invoiceId, customerId, status } = filter;
    if (before) query.andWhere('payment.id < :before', { before });
    if (invoiceId) query.andWhere('payment.invoiceId = :invoiceId', { invoiceId });
    if (customerId) query.andWhere('payment.customerId = :customerId', { customerId });
    if (status) query.andWhere('payment.status = :status', { status });
    return query.getMany();
  }

  private withDetails(manager?: EntityManager): SelectQueryBuilder<Payment> {
    return (manager ?? this.dataSource.manager)
      .createQueryBuilder(Payment, 'payment')
      .innerJoinAndSelect('payment.invoice', 'invoice')
      .leftJoinAndSelect('payment.refunds', 'refund');
  }
}
