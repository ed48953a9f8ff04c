import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { Transactions } from '../database/transactions.js';
import type { EventType } from '../events/event-types.js';
import { recordEvent } from '../events/outbox.js';
import { toInvoiceResponse } from '../invoices/dto/invoice.dto.js';
import { buyerOf, sellerSnapshotOf } from '../invoices/invoice-parties.js';
import type { PdfStatus } from '../invoices/invoice-pdf.js';
import { Invoice } from '../invoices/invoice.entity.js';
import { InvoicesRepository } from '../invoices/invoices.repository.js';
import { Organization } from '../organizations/organization.entity.js';
import type { InvoiceDocumentInput } from './document/invoice-document.js';
import type { RenderJob } from './queue/pdf-jobs.js';

/** The database side of PDF rendering: what to print, and recording how a render ended, with its event. */
@Injectable()
export class InvoicePdfs {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly invoices: InvoicesRepository,
  ) {}

  /** What a render job prints, or null when the job is stale (a newer version was asked for, or none is pending). */
  async renderInput({ invoiceId, version }: RenderJob): Promise<InvoiceDocumentInput | null> {
    const invoice = await this.invoices.findWithDetails(invoiceId);
    if (!invoice || invoice.pdfStatus !== 'pending' || invoice.pdfVersion !== version) return null;
    return this.documentInput(invoice);
  }

  /** What a draft preview prints, or null when the invoice is gone or no longer a draft. */
  async previewInput(organizationId: string, invoiceId: string): Promise<InvoiceDocumentInput | null> {
    const invoice = await this.invoices.findInOrganization(organizationId, invoiceId);
    if (invoice?.status !== 'draft') return null;
    return this.documentInput(invoice);
  }

  /** Records version `version` as rendered; false (and nothing written) when it went stale meanwhile. */
  markReady(job: RenderJob, sha256: string): Promise<boolean> {
    return this.settle(job, 'invoice.pdf_ready', {
      pdfStatus: 'ready',
      pdfSha256: sha256,
      pdfGeneratedAt: new Date(),
    });
  }

  /** Records that version `version` cannot be rendered, so clients see `failed` rather than waiting forever. */
  markFailed(job: RenderJob): Promise<boolean> {
    return this.settle(job, 'invoice.pdf_failed', { pdfStatus: 'failed', pdfSha256: null });
  }

  private settle(
    { invoiceId, version }: RenderJob,
    event: EventType,
    columns: { pdfStatus: PdfStatus; pdfSha256: string | null; pdfGeneratedAt?: Date },
  ): Promise<boolean> {
    return this.transactions.run(async (manager) => {
      if (!(await this.updatePending(manager, invoiceId, version, columns))) return false;
      const invoice = (await this.invoices.findWithDetails(invoiceId, manager))!;
      await recordEvent(manager, invoice.organizationId, event, toInvoiceResponse(invoice));
      return true;
    });
  }

  /**
   * Writes `columns` when version `version` is still the pending one; false when it went stale. One statement
   * that locks the row as it updates it (a newer version committed meanwhile fails the recheck of its WHERE).
   */
  private async updatePending(
    manager: EntityManager,
    id: string,
    version: number,
    columns: Partial<Invoice>,
  ): Promise<boolean> {
    const { affected } = await manager
      .createQueryBuilder()
      .update(Invoice)
      .set(columns)
      .where({ id, pdfVersion: version, pdfStatus: 'pending' })
      .execute();
    return affected === 1;
  }

  private async documentInput(invoice: Invoice): Promise<InvoiceDocumentInput> {
    const organization = await this.dataSource.manager.findOneByOrFail(Organization, {
      id: invoice.organizationId,
    });
    return {
      invoice,
      seller: invoice.sellerSnapshot ?? sellerSnapshotOf(organization),
      buyer: buyerOf(invoice),
      pageSize: organization.pdfPageSize,
    };
  }
}
