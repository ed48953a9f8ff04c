import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { Customer } from '../customers/customer.entity.js';
import { EntityRows } from '../database/entity-rows.js';
import { preparedQuery } from '../database/prepared-query.js';
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
  private readonly invoiceRows: EntityRows<Invoice>;
  private readonly customerRows: EntityRows<Customer>;
  private readonly lineRows: EntityRows<InvoiceLine>;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.invoiceRows = new EntityRows(dataSource, Invoice, 'invoice');
    this.customerRows = new EntityRows(dataSource, Customer, 'customer');
    // A line's own timestamps are in no response: a list of 50 invoices would parse 300 dates for nothing.
    this.lineRows = new EntityRows(dataSource, InvoiceLine, 'line', ['createdAt', 'updatedAt']);
  }

  findInOrganization(organizationId: string, id: string, manager?: EntityManager): Promise<Invoice | null> {
    return this.withDetails(
      manager ?? this.dataSource.manager,
      'invoice.organization_id = $1 AND invoice.id = $2',
      [organizationId, id],
    );
  }

  /** The invoice by id alone, for workers, whose jobs name invoices they were handed by the system. */
  findWithDetails(id: string, manager?: EntityManager): Promise<Invoice | null> {
    return this.withDetails(manager ?? this.dataSource.manager, 'invoice.id = $1', [id]);
  }

  /** A new invoice (its id set here); read it back for its defaults and timestamps. */
  insert(manager: EntityManager, invoices: Invoice[]): Promise<void> {
    return this.invoiceRows.insert(manager, invoices);
  }

  insertLines(manager: EntityManager, lines: InvoiceLine[]): Promise<void> {
    return this.lineRows.insert(manager, lines);
  }

  /** Locks the invoice row until the caller's transaction ends; true when it exists in the organization. */
  async lock(manager: EntityManager, organizationId: string, id: string): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      'SELECT 1 FROM invoices WHERE organization_id = $1 AND id = $2 FOR UPDATE',
      [organizationId, id],
    );
    return rows.length > 0;
  }

  /**
   * Newest first, `limit + 1` rows so the caller knows whether another page follows. The page is chosen
   * on the invoices alone (an index walk), then its lines are read in one more query: joining the lines
   * before the limit would make Postgres join every matching invoice first. Only drafts come with their
   * customer: an issued invoice shows the snapshot it was issued with.
   */
  async list(organizationId: string, filter: InvoiceListFilter): Promise<Invoice[]> {
    const params: unknown[] = [organizationId];
    const param = (value: unknown) => `$${params.push(value)}`;
    const where = ['invoice.organization_id = $1'];
    if (filter.before) where.push(`invoice.id < ${param(filter.before)}`);
    if (filter.status) where.push(`invoice.status = ${param(filter.status)}`);
    if (filter.customerId) where.push(`invoice.customer_id = ${param(filter.customerId)}`);
    if (filter.overdue !== undefined) {
      const overdue = `(invoice.status = 'open' AND invoice.due_date < ${param(filter.today)})`;
      where.push(filter.overdue ? overdue : `NOT ${overdue}`);
    }
    if (filter.q) {
      // Matching customers first (trigram index), then their invoices by id: both sides of the OR use an
      // index, where `customer.name ILIKE` on the join would scan the organization's invoices.
      const pattern = param(containsPattern(filter.q));
      where.push(
        `(invoice.number ILIKE ${pattern} OR invoice.customer_id = ANY(ARRAY(` +
          `SELECT c.id FROM customers c WHERE c.organization_id = $1 AND c.name ILIKE ${pattern})))`,
      );
    }
    const { issueDateFrom, issueDateTo, dueDateFrom, dueDateTo } = filter;
    if (issueDateFrom) where.push(`invoice.issue_date >= ${param(issueDateFrom)}`);
    if (issueDateTo) where.push(`invoice.issue_date <= ${param(issueDateTo)}`);
    if (dueDateFrom) where.push(`invoice.due_date >= ${param(dueDateFrom)}`);
    if (dueDateTo) where.push(`invoice.due_date <= ${param(dueDateTo)}`);
    // Planned on every call, not prepared: the filters vary, and their plans were chosen for the values
    // given (bench/invoice-list-plans.sh); a generic plan knows neither them nor that the page is small.
    const rows: Row[] = await this.dataSource.query(
      `SELECT ${this.invoiceRows.select}, ${this.customerRows.select}
         FROM invoices invoice
         LEFT JOIN customers customer ON customer.id = invoice.customer_id AND invoice.status = 'draft'
        WHERE ${where.join(' AND ')}
        ORDER BY invoice.id DESC LIMIT ${param(filter.limit + 1)}`,
      params,
    );
    const invoices = rows.map((row) => this.invoiceWithCustomer(row));
    if (invoices.length === 0) return invoices;
    const lines = await preparedQuery<Row>(
      this.dataSource.manager,
      `SELECT ${this.lineRows.select} FROM invoice_lines line WHERE line.invoice_id = ANY($1)`,
      [invoices.map((invoice) => invoice.id)],
    );
    const byId = new Map(invoices.map((invoice) => [invoice.id, invoice]));
    for (const row of lines) {
      const line = this.lineRows.from(row)!;
      byId.get(line.invoiceId)!.lines!.push(line);
    }
    return invoices;
  }

  private async withDetails(
    manager: EntityManager,
    where: string,
    params: unknown[],
  ): Promise<Invoice | null> {
    const rows = await preparedQuery<Row>(
      manager,
      `SELECT ${this.invoiceRows.select}, ${this.customerRows.select}, ${this.lineRows.select}
         FROM invoices invoice JOIN customers customer ON customer.id = invoice.customer_id
         LEFT JOIN invoice_lines line ON line.invoice_id = invoice.id
        WHERE ${where}`,
      params,
    );
    if (rows.length === 0) return null;
    const invoice = this.invoiceWithCustomer(rows[0]);
    for (const row of rows) {
      const line = this.lineRows.from(row);
      if (line) invoice.lines!.push(line);
    }
    return invoice;
  }

  private invoiceWithCustomer(row: Row): Invoice {
    const invoice = this.invoiceRows.from(row)!;
    invoice.customer = this.customerRows.from(row) ?? undefined;
    invoice.lines = [];
    return invoice;
  }
}

type Row = Record<string, unknown>;
