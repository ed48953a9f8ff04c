import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { Customer } from '../customers/customer.entity.js';
import { Organization } from '../organizations/organization.entity.js';
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
  private readonly organizationRows: EntityRows<Organization>;
  /**
   * Invoices with their details, one row each: the lines as one JSON array (a row per line would repeat the
   * wide invoice row and cost a second query for a list), and the customer only for drafts, as an issued
   * invoice shows the snapshot it was issued with.
   */
  private readonly selectDetails: string;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.invoiceRows = new EntityRows(dataSource, Invoice, 'invoice');
    this.customerRows = new EntityRows(dataSource, Customer, 'customer');
    // A line's own timestamps are in no response: a list of 50 invoices would parse 300 dates for nothing.
    this.lineRows = new EntityRows(dataSource, InvoiceLine, 'line', ['createdAt', 'updatedAt']);
    this.organizationRows = new EntityRows(dataSource, Organization, 'organization');
    this.selectDetails = `SELECT ${this.invoiceRows.select}, ${this.customerRows.select},
        ${this.linesFrom('invoice_lines line WHERE line.invoice_id = invoice.id')}
       FROM invoices invoice
       LEFT JOIN customers customer ON customer.id = invoice.customer_id AND invoice.status = 'draft'`;
  }

  findInOrganization(organizationId: string, id: string, manager?: EntityManager): Promise<Invoice | null> {
    return this.findOne(
      manager ?? this.dataSource.manager,
      'invoice.organization_id = $1 AND invoice.id = $2',
      [organizationId, id],
    );
  }

  /** The invoice by id alone, for workers, whose jobs name invoices they were handed by the system. */
  findWithDetails(id: string, manager?: EntityManager): Promise<Invoice | null> {
    return this.findOne(manager ?? this.dataSource.manager, 'invoice.id = $1', [id]);
  }

  /**
   * Inserts a new invoice with its lines (their ids, and the invoice's, set here) in one statement, and answers
   * it as stored, defaults and timestamps included, as the reads do but for its customer.
   */
  async insertWithLines(manager: EntityManager, invoice: Invoice, lines: InvoiceLine[]): Promise<Invoice> {
    const values: unknown[] = [];
    const insertInvoice = this.invoiceRows.insertStatement([invoice], values);
    for (const line of lines) line.invoiceId = invoice.id;
    const insertedLines =
      lines.length > 0
        ? `${this.lineRows.insertStatement(lines, values)} RETURNING *`
        : 'SELECT * FROM invoice_lines WHERE false';
    const [row] = await preparedQuery<Row>(
      manager,
      `WITH invoice AS (${insertInvoice} RETURNING *), line AS (${insertedLines})
       SELECT ${this.invoiceRows.select}, ${this.linesFrom('line')} FROM invoice`,
      values,
    );
    return this.withDetails(row);
  }

  /** The invoice's lines become `lines` (their ids set here). */
  async replaceLines(manager: EntityManager, invoiceId: string, lines: InvoiceLine[]): Promise<void> {
    await manager.query('DELETE FROM invoice_lines WHERE invoice_id = $1', [invoiceId]);
    for (const line of lines) line.invoiceId = invoiceId;
    await this.lineRows.insert(manager, lines);
  }

  /** The invoice as findInOrganization reads it, its row locked until the caller's transaction ends. */
  lockInOrganization(manager: EntityManager, organizationId: string, id: string): Promise<Invoice | null> {
    return this.findOne(manager, 'invoice.organization_id = $1 AND invoice.id = $2 FOR UPDATE OF invoice', [
      organizationId,
      id,
    ]);
  }

  /**
   * Takes the organization's next invoice number in the caller's transaction, answering the organization (the
   * seller) as it is now. The UPDATE locks its row, so concurrent finalizes take their numbers one at a time,
   * and a rollback gives the number back: no gaps.
   */
  async takeNextNumber(
    manager: EntityManager,
    organizationId: string,
  ): Promise<{ sequence: number; organization: Organization }> {
    const [row] = await preparedQuery<Row>(
      manager,
      `UPDATE organizations organization SET next_invoice_number = next_invoice_number + 1
        WHERE organization.id = $1 RETURNING ${this.organizationRows.select}`,
      [organizationId],
    );
    const organization = this.organizationRows.from(row)!;
    return { sequence: organization.nextInvoiceNumber - 1, organization };
  }

  /**
   * Newest first, `limit + 1` rows so the caller knows whether another page follows. The page is chosen on
   * the invoices alone (an index walk); the lines' subquery runs for the rows of the page only.
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
      `${this.selectDetails} WHERE ${where.join(' AND ')} ORDER BY invoice.id DESC LIMIT ${param(filter.limit + 1)}`,
      params,
    );
    return rows.map((row) => this.withDetails(row));
  }

  private async findOne(manager: EntityManager, where: string, params: unknown[]): Promise<Invoice | null> {
    const rows = await preparedQuery<Row>(manager, `${this.selectDetails} WHERE ${where}`, params);
    return rows.length === 0 ? null : this.withDetails(rows[0]);
  }

  /** The lines of `source` (a FROM clause naming them `line`) as one JSON array column, `lines`. */
  private linesFrom(source: string): string {
    return `(SELECT coalesce(json_agg(${this.lineRows.jsonObject} ORDER BY line.position), '[]') FROM ${source}) AS lines`;
  }

  private withDetails(row: Row): Invoice {
    const invoice = this.invoiceRows.from(row)!;
    invoice.customer = this.customerRows.from(row) ?? undefined;
    invoice.lines = (row.lines as Row[]).map((line) => this.lineRows.from(line)!);
    return invoice;
  }
}

type Row = Record<string, unknown>;
