import { currentRequestId } from '../common/tracing/request-context.js';
import type { Invoice } from './invoice.entity.js';

export const PDF_STATUSES = ['pending', 'ready', 'failed'] as const;
export type PdfStatus = (typeof PDF_STATUSES)[number];

type InvoicePdfState = Pick<
  Invoice,
  'pdfStatus' | 'pdfVersion' | 'pdfSha256' | 'pdfGeneratedAt' | 'pdfQueuedAt' | 'pdfRequestId'
>;

/**
 * The columns that ask the workers for a new PDF: the next version, pending and not yet queued. Applied with
 * every change to what the PDF shows (finalize, payments, refunds, void), under the invoice's row lock; a
 * render of an older version finds itself stale and is dropped. The previous PDF is no longer served (it
 * shows what is no longer true); its bytes are pruned once the new one is stored. The request asking goes
 * with the render (its id in the job, its logs and invoice.pdf_ready).
 */
export function pdfRenderRequested(invoice: Pick<Invoice, 'pdfVersion'>): InvoicePdfState {
  return {
    pdfStatus: 'pending',
    pdfVersion: invoice.pdfVersion + 1,
    pdfSha256: null,
    pdfGeneratedAt: null,
    pdfQueuedAt: null,
    pdfRequestId: currentRequestId(),
  };
}

/** Where a client fetches an invoice's PDF (relative to the API's base URL). */
export const invoicePdfPath = (invoiceId: string): string => `/v1/invoices/${invoiceId}/pdf`;
