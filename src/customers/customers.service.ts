import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../common/auth/auth-user.js';
import { DomainError } from '../common/errors/domain-error.js';
import { decodeCursor, type Page, toPage } from '../common/pagination/pagination.js';
import { Transactions } from '../database/transactions.js';
import { recordEvent } from '../events/outbox.js';
import { todayUtc } from '../invoices/invoice-dates.js';
import { Customer } from './customer.entity.js';
import { CustomersRepository } from './customers.repository.js';
import {
  type CreateCustomerDto,
  type CustomerResponseDto,
  type CustomerWithBalancesResponseDto,
  type ListCustomersQueryDto,
  toCustomerResponse,
  type UpdateCustomerDto,
} from './dto/customer.dto.js';

@Injectable()
export class CustomersService {
  constructor(
    private readonly transactions: Transactions,
    private readonly customers: CustomersRepository,
  ) {}

  create(actor: AuthUser, dto: CreateCustomerDto): Promise<CustomerResponseDto> {
    return this.transactions.run(async (manager) => {
      const customer = await manager.save(
        manager.create(Customer, { ...dto, organizationId: actor.organizationId, archivedAt: null }),
      );
      return this.recorded(manager, customer, 'customer.created');
    });
  }

  async list(actor: AuthUser, query: ListCustomersQueryDto): Promise<Page<CustomerResponseDto>> {
    const rows = await this.customers.list(actor.organizationId, {
      q: query.q,
      archived: query.archived ?? false,
      before: decodeCursor(query.cursor),
      limit: query.limit,
    });
    return toPage(rows, query.limit, toCustomerResponse);
  }

  async get(actor: AuthUser, id: string): Promise<CustomerWithBalancesResponseDto> {
    const customer = await this.require(actor, id);
    const balances = await this.customers.balances(actor.organizationId, id, todayUtc());
    return { ...toCustomerResponse(customer), balances };
  }

  update(actor: AuthUser, id: string, dto: UpdateCustomerDto): Promise<CustomerResponseDto> {
    return this.change(actor, id, (customer) => Object.assign(customer, dto));
  }

  archive(actor: AuthUser, id: string): Promise<CustomerResponseDto> {
    return this.change(actor, id, (customer) => {
      customer.archivedAt ??= new Date();
    });
  }

  unarchive(actor: AuthUser, id: string): Promise<CustomerResponseDto> {
    return this.change(actor, id, (customer) => {
      customer.archivedAt = null;
    });
  }

  remove(actor: AuthUser, id: string): Promise<void> {
    return this.transactions.run(async (manager) => {
      const customer = await this.requireLocked(manager, actor, id);
      if (await this.customers.hasInvoices(manager, actor.organizationId, id)) {
        throw new DomainError('customer_has_invoices', 'The customer has invoices: archive it instead');
      }
      const gone = toCustomerResponse(customer);
      await manager.delete(Customer, { id: customer.id });
      await recordEvent(manager, actor.organizationId, 'customer.deleted', gone);
    });
  }

  /** Loads the caller's customer under a row lock, applies `edit`, saves it with a customer.updated event. */
  private change(
    actor: AuthUser,
    id: string,
    edit: (customer: Customer) => void,
  ): Promise<CustomerResponseDto> {
    return this.transactions.run(async (manager) => {
      const customer = await this.requireLocked(manager, actor, id);
      edit(customer);
      return this.recorded(manager, await manager.save(customer), 'customer.updated');
    });
  }

  private async recorded(
    manager: EntityManager,
    customer: Customer,
    type: 'customer.created' | 'customer.updated',
  ): Promise<CustomerResponseDto> {
    const response = toCustomerResponse(customer);
    await recordEvent(manager, customer.organizationId, type, response);
    return response;
  }

  /** The caller's customer; another organization's is as missing as one that never was. */
  private async require(actor: AuthUser, id: string): Promise<Customer> {
    return found(await this.customers.findInOrganization(actor.organizationId, id), id);
  }

  private async requireLocked(manager: EntityManager, actor: AuthUser, id: string): Promise<Customer> {
    return found(await this.customers.lockInOrganization(manager, actor.organizationId, id), id);
  }
}

function found(customer: Customer | null, id: string): Customer {
  if (!customer) throw new DomainError('customer_not_found', `No customer ${id}`);
  return customer;
}
