import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../common/auth/auth-user.js';
import { DomainError } from '../common/errors/domain-error.js';
import { decodeCursor, type Page, toPage } from '../common/pagination/pagination.js';
import { Customer } from '../customers/customer.entity.js';
import { CustomersRepository } from '../customers/customers.repository.js';
import { Transactions } from '../database/transactions.js';
import type { EventType } from '../events/event-types.js';
import { recordEvent } from '../events/outbox.js';
import { Organization } from '../organizations/organization.entity.js';
import {
  type CreateInvoiceDto,
  type InvoiceResponseDto,
  type LineItemDto,
  type ListCustomerInvoicesQueryDto,
  type ListInvoicesQueryDto,
  toInvoiceResponse,
  type UpdateInvoiceDto,
} from './dto/invoice.dto.js';
import { datesAtFinalize, todayUtc } from './invoice-dates.js';
import { InvoiceLine } from './invoice-line.entity.js';
import { formatInvoiceNumber } from './invoice-number.js';
import { customerSnapshotOf, sellerSnapshotOf } from './invoice-parties.js';
import { pdfRenderRequested } from './invoice-pdf.js';
import { type InvoiceAction, assertAllowed } from './invoice-status.js';
import { AmountOutOfRangeError, computeLine, computeTotals } from './invoice-totals.js';
import { Invoice } from './invoice.entity.js';
import { InvoicesRepository } from './invoices.repository.js';

@Injectable()
export class InvoicesService {
  constructor(
    private readonly transactions: Transactions,
    private readonly invoices: InvoicesRepository,
    private readonly customers: CustomersRepository,
  ) {}

  create(actor: AuthUser, dto: CreateInvoiceDto): Promise<InvoiceResponseDto> {
    assertOneDueRule(dto);
    return this.transactions.run(async (manager) => {
      const customer = await this.billableCustomer(manager, actor, dto.customerId);
      const currency = dto.currency ?? customer.currency ?? (await this.defaultCurrency(manager, actor));
      const { lines, totals } = price(dto.lineItems ?? []);
      const invoice = manager.create(Invoice, {
        organizationId: actor.organizationId,
        customerId: customer.id,
        status: 'draft',
        number: null,
        currency,
        issueDate: dto.issueDate ?? null,
        dueDate: dto.dueDate ?? null,
        daysUntilDue: dto.daysUntilDue ?? null,
        ...totals,
        amountPaid: 0,
        amountDue: totals.total,
        notes: dto.notes ?? null,
        footer: dto.footer ?? null,
        metadata: dto.metadata ?? {},
      });
      const created = await this.invoices.insertWithLines(
        manager,
        invoice,
        this.lineEntities(manager, lines),
      );
      created.customer = customer;
      const response = toInvoiceResponse(created);
      await recordEvent(manager, actor.organizationId, 'invoice.created', response);
      return response;
    });
  }

  async get(actor: AuthUser, id: string): Promise<InvoiceResponseDto> {
    return toInvoiceResponse(await this.require(actor, id));
  }

  async list(actor: AuthUser, query: ListInvoicesQueryDto): Promise<Page<InvoiceResponseDto>> {
    const today = todayUtc();
    const rows = await this.invoices.list(actor.organizationId, {
      ...query,
      before: decodeCursor(query.cursor),
      today,
    });
    return toPage(rows, query.limit, (invoice) => toInvoiceResponse(invoice, today));
  }

  async listForCustomer(
    actor: AuthUser,
    customerId: string,
    query: ListCustomerInvoicesQueryDto,
  ): Promise<Page<InvoiceResponseDto>> {
    if (!(await this.customers.findInOrganization(actor.organizationId, customerId)))
      throw new DomainError('customer_not_found', `No customer ${customerId}`);
    return this.list(actor, { ...query, customerId });
  }

  update(actor: AuthUser, id: string, dto: UpdateInvoiceDto): Promise<InvoiceResponseDto> {
    assertOneDueRule(dto);
    return this.change(actor, id, 'update', 'invoice.updated', async (manager, invoice) => {
      if (dto.customerId !== undefined)
        invoice.customerId = (await this.billableCustomer(manager, actor, dto.customerId)).id;
      if (dto.currency !== undefined) invoice.currency = dto.currency;
      if (dto.issueDate !== undefined) invoice.issueDate = dto.issueDate;
      // A due date and a number of days are two ways to say one thing: setting one clears the other.
      if (dto.dueDate !== undefined) invoice.dueDate = dto.dueDate;
      if (dto.dueDate) invoice.daysUntilDue = null;
      if (dto.daysUntilDue !== undefined) invoice.daysUntilDue = dto.daysUntilDue;
      if (dto.daysUntilDue !== undefined && dto.daysUntilDue !== null) invoice.dueDate = null;
      if (dto.notes !== undefined) invoice.notes = dto.notes;
      if (dto.footer !== undefined) invoice.footer = dto.footer;
      if (dto.metadata !== undefined) invoice.metadata = dto.metadata;
      if (dto.lineItems !== undefined) {
        const { lines, totals } = price(dto.lineItems);
        Object.assign(invoice, totals, { amountDue: totals.total });
        await this.invoices.replaceLines(manager, invoice.id, this.lineEntities(manager, lines));
      }
    });
  }

  /** Issues the invoice: its number, dates and the customer and seller as they are now, frozen. */
  finalize(actor: AuthUser, id: string): Promise<InvoiceResponseDto> {
    return this.change(actor, id, 'finalize', 'invoice.finalized', async (manager, invoice) => {
      if (invoice.lines!.length === 0) {
        throw new DomainError('invoice_has_no_lines', 'Add a line before finalizing');
      }
      if (invoice.customer!.archivedAt) {
        throw new DomainError(
          'customer_archived',
          `Customer ${invoice.customerId} is archived; unarchive it to bill it`,
        );
      }
      const { issueDate, dueDate } = datesAtFinalize(invoice, todayUtc());
      if (dueDate < issueDate) {
        throw new DomainError(
          'due_date_before_issue_date',
          `The due date ${dueDate} is before the issue date ${issueDate}`,
        );
      }
      const { sequence, organization } = await this.invoices.takeNextNumber(manager, actor.organizationId);
      // Nothing to collect (a fully discounted invoice): issued as paid, as there is no payment to wait for.
      const settled = invoice.total === 0;
      const now = new Date();
      Object.assign(invoice, {
        status: settled ? 'paid' : 'open',
        paidAt: settled ? now : null,
        number: formatInvoiceNumber(organization.invoiceNumberPrefix, sequence),
        issueDate,
        dueDate,
        finalizedAt: now,
        customerSnapshot: customerSnapshotOf(invoice.customer!),
        sellerSnapshot: sellerSnapshotOf(organization),
        ...pdfRenderRequested(invoice),
      });
      return settled ? ['invoice.paid'] : [];
    });
  }

  send(actor: AuthUser, id: string): Promise<InvoiceResponseDto> {
    return this.change(actor, id, 'send', 'invoice.sent', async (_manager, invoice) => {
      invoice.sentAt = new Date();
    });
  }

  void(actor: AuthUser, id: string): Promise<InvoiceResponseDto> {
    return this.change(actor, id, 'void', 'invoice.voided', async (_manager, invoice) => {
      Object.assign(invoice, { status: 'void', voidedAt: new Date(), ...pdfRenderRequested(invoice) });
    });
  }

  markUncollectible(actor: AuthUser, id: string): Promise<InvoiceResponseDto> {
    return this.change(
      actor,
      id,
      'mark_uncollectible',
      'invoice.marked_uncollectible',
      async (_manager, invoice) => {
        Object.assign(invoice, { status: 'uncollectible', markedUncollectibleAt: new Date() });
      },
    );
  }

  remove(actor: AuthUser, id: string): Promise<void> {
    return this.transactions.run(async (manager) => {
      const invoice = await this.requireLocked(manager, actor, id);
      assertAllowed(invoice, 'delete');
      const gone = toInvoiceResponse(invoice);
      await manager.delete(Invoice, { id: invoice.id });
      await recordEvent(manager, actor.organizationId, 'invoice.deleted', gone);
    });
  }

  /**
   * The one path every state change takes: lock the invoice, check the action is allowed in its state,
   * apply it, save, and write its event in the same transaction.
   */
  private change(
    actor: AuthUser,
    id: string,
    action: InvoiceAction,
    event: EventType,
    apply: (manager: EntityManager, invoice: Invoice) => Promise<EventType[] | void>,
  ): Promise<InvoiceResponseDto> {
    return this.transactions.run(async (manager) => {
      const invoice = await this.requireLocked(manager, actor, id);
      assertAllowed(invoice, action);
      const followingEvents = (await apply(manager, invoice)) ?? [];
      // One UPDATE of the row as it now is; updatedAt is left out for the UPDATE to set it.
      const {
        lines: _lines,
        customer: _customer,
        createdAt: _created,
        updatedAt: _updated,
        ...columns
      } = invoice;
      await manager.update(Invoice, { id: invoice.id }, columns);
      return this.recorded(manager, actor, invoice.id, event, ...followingEvents);
    });
  }

  private async recorded(
    manager: EntityManager,
    actor: AuthUser,
    id: string,
    ...events: EventType[]
  ): Promise<InvoiceResponseDto> {
    const response = toInvoiceResponse(
      (await this.invoices.findInOrganization(actor.organizationId, id, manager))!,
    );
    for (const event of events) await recordEvent(manager, actor.organizationId, event, response);
    return response;
  }

  private lineEntities(manager: EntityManager, lines: PricedLine[]): InvoiceLine[] {
    return lines.map((line, position) => manager.create(InvoiceLine, { ...line, position }));
  }

  private async defaultCurrency(manager: EntityManager, actor: AuthUser): Promise<string> {
    return (await manager.findOneByOrFail(Organization, { id: actor.organizationId })).defaultCurrency;
  }

  /** A customer of the caller's organization that can still be billed. */
  private async billableCustomer(manager: EntityManager, actor: AuthUser, id: string): Promise<Customer> {
    const customer = await this.customers.findForBilling(manager, actor.organizationId, id);
    if (!customer) throw new DomainError('customer_not_found', `No customer ${id}`);
    if (customer.archivedAt)
      throw new DomainError('customer_archived', `Customer ${id} is archived; unarchive it to bill it`);
    return customer;
  }

  private async require(actor: AuthUser, id: string): Promise<Invoice> {
    const invoice = await this.invoices.findInOrganization(actor.organizationId, id);
    if (!invoice) throw new DomainError('invoice_not_found', `No invoice ${id}`);
    return invoice;
  }

  private async requireLocked(manager: EntityManager, actor: AuthUser, id: string): Promise<Invoice> {
    const invoice = await this.invoices.lockInOrganization(manager, actor.organizationId, id);
    if (!invoice) throw new DomainError('invoice_not_found', `No invoice ${id}`);
    return invoice;
  }
}

type PricedLine = Pick<
  InvoiceLine,
  | 'description'
  | 'quantity'
  | 'unitAmount'
  | 'discountPercent'
  | 'taxRate'
  | 'amount'
  | 'discountAmount'
  | 'taxAmount'
>;

/** Computes every amount on the server; a total beyond what a JSON number holds exactly is a 400. */
function price(items: LineItemDto[]) {
  try {
    const lines: PricedLine[] = items.map((item) => {
      const input = { ...item, discountPercent: item.discountPercent ?? 0, taxRate: item.taxRate ?? 0 };
      return { ...input, ...computeLine(input) };
    });
    return { lines, totals: computeTotals(lines) };
  } catch (error) {
    if (error instanceof AmountOutOfRangeError) throw new DomainError('amount_out_of_range', error.message);
    throw error;
  }
}

function assertOneDueRule(dto: { dueDate?: string | null; daysUntilDue?: number | null }): void {
  if (dto.dueDate != null && dto.daysUntilDue != null) {
    const message = 'Give dueDate or daysUntilDue, not both';
    throw new DomainError('validation_failed', message, [{ field: 'daysUntilDue', message }]);
  }
}
