import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../common/auth/auth-user.js';
import { DomainError } from '../common/errors/domain-error.js';
import { currentRequestId } from '../common/tracing/request-context.js';
import { Transactions } from '../database/transactions.js';
import { notifyOnCommit } from '../events/event-notifications.js';
import { type InvoicePdfDto, toInvoicePdf } from '../invoices/dto/invoice.dto.js';
import { invoicePdfPath, pdfRenderRequested } from '../invoices/invoice-pdf.js';
import { Invoice } from '../invoices/invoice.entity.js';
import { PdfJobs } from './queue/pdf-jobs.js';
import { PdfStore } from './storage/pdf-store.js';

/** How long GET waits for a draft's preview before answering 202 (a warm worker prints one in ~0.1 s). */
export const PREVIEW_WAIT_MS = 10_000;
/** Retry-After of a 202: a render takes well under a second when the queue is idle. */
export const PDF_RETRY_AFTER_S = 1;

/** What GET /v1/invoices/:id/pdf answers. */
export type PdfAnswer =
  | { kind: 'file'; content: Buffer; etag: string; filename: string }
  | { kind: 'not-modified'; etag: string }
  | { kind: 'pending'; pdf: InvoicePdfDto };

@Injectable()
export class InvoicePdfService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly jobs: PdfJobs,
    private readonly store: PdfStore,
  ) {}

  /** The stored PDF of an issued invoice, or a fresh preview of a draft. */
  async get(actor: AuthUser, id: string, ifNoneMatch: string | undefined): Promise<PdfAnswer> {
    const invoice = await this.dataSource.manager.findOneBy(Invoice, {
      organizationId: actor.organizationId,
      id,
    });
    if (!invoice) throw new DomainError('invoice_not_found', `No invoice ${id}`);
    if (invoice.status === 'draft') return this.preview(invoice, ifNoneMatch);
    if (invoice.pdfStatus === 'failed') {
      throw new DomainError(
        'invoice_pdf_failed',
        `The PDF of invoice ${invoice.number} could not be rendered`,
      );
    }
    if (invoice.pdfStatus !== 'ready') return { kind: 'pending', pdf: toInvoicePdf(invoice)! };
    const etag = `"${invoice.pdfSha256}"`;
    if (etagMatches(ifNoneMatch, etag)) return { kind: 'not-modified', etag };
    const content = await this.store.get(invoice.id, invoice.pdfSha256!);
    // Recorded ready but not in the store (restored from an older backup, say): render it again.
    if (!content) return { kind: 'pending', pdf: await this.requestRender(actor, id) };
    return { kind: 'file', content, etag, filename: `${invoice.number!.replaceAll('/', '-')}.pdf` };
  }

  /** Asks for the invoice's PDF to be rendered again (after a failure, or to refresh it). */
  requestRender(actor: AuthUser, id: string): Promise<InvoicePdfDto> {
    return this.transactions.run(async (manager) => {
      const invoice = await manager.findOne(Invoice, {
        where: { organizationId: actor.organizationId, id },
        lock: { mode: 'pessimistic_write' },
      });
      if (!invoice) throw new DomainError('invoice_not_found', `No invoice ${id}`);
      if (invoice.status === 'draft') {
        throw new DomainError(
          'cannot_render_draft_pdf',
          `Invoice ${id} is a draft; GET its pdf for a preview`,
        );
      }
      const requested = pdfRenderRequested(invoice);
      await manager.update(Invoice, { id }, requested);
      Object.assign(invoice, requested);
      await notifyOnCommit(manager);
      return toInvoicePdf(invoice)!;
    });
  }

  private async preview(invoice: Invoice, ifNoneMatch: string | undefined): Promise<PdfAnswer> {
    // The draft's revision (its updatedAt) names the preview: a client holding it needs no new render.
    const revision = invoice.updatedAt.toISOString();
    const etag = `"draft-${invoice.updatedAt.getTime()}"`;
    if (etagMatches(ifNoneMatch, etag)) return { kind: 'not-modified', etag };
    let content: Buffer | null;
    try {
      content = await this.jobs.preview(
        {
          invoiceId: invoice.id,
          organizationId: invoice.organizationId,
          revision,
          requestId: currentRequestId(),
        },
        PREVIEW_WAIT_MS,
      );
    } catch (error) {
      throw new DomainError('pdf_preview_failed', (error as Error).message, undefined, PDF_RETRY_AFTER_S);
    }
    if (!content) {
      const pdf = {
        status: 'pending' as const,
        sha256: null,
        generatedAt: null,
        url: invoicePdfPath(invoice.id),
      };
      return { kind: 'pending', pdf };
    }
    return { kind: 'file', content, etag, filename: `draft-${invoice.id}.pdf` };
  }
}

/** RFC 9110 If-None-Match: a list of entity tags (weak ones compare equal too), or `*`. */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const candidate = tag.trim().replace(/^W\//, '');
    return candidate === '*' || candidate === etag;
  });
}
