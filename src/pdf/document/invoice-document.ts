import type { Address } from '../../common/http/address.dto.js';
import { formatMoney } from '../../common/money/money.js';
import { DEFAULT_DAYS_UNTIL_DUE, isCalendarDate } from '../../invoices/invoice-dates.js';
import type { InvoiceLine } from '../../invoices/invoice-line.entity.js';
import type { InvoiceStatus } from '../../invoices/invoice-status.js';
import type { CustomerSnapshot, Invoice, SellerSnapshot } from '../../invoices/invoice.entity.js';
import type { PdfPageSize } from '../../organizations/organization.entity.js';
import { invoiceFooterTemplate, invoiceHtmlTemplate } from './invoice-template.js';

/** What one invoice document is printed from. For a draft, seller and buyer are the current profiles (the invoice has no snapshots yet). */
export interface InvoiceDocumentInput {
  invoice: Invoice;
  seller: SellerSnapshot;
  buyer: CustomerSnapshot;
  pageSize: PdfPageSize;
}

/** What the renderer needs: self-contained HTML plus page.pdf() options that depend on the document. */
export interface PrintJob {
  html: string;
  pageSize: PdfPageSize;
  footerTemplate: string;
}

export type WatermarkTone = 'paid' | 'void' | 'draft';

export interface PartyView {
  name: string;
  legalName: string | null;
  addressLines: string[];
  email: string | null;
  taxId: string | null;
}

export interface LineView {
  description: string;
  quantity: string;
  unitPrice: string;
  discount: string;
  tax: string;
  amount: string;
}

/** Every string the template prints, already formatted: the template only escapes and places them. */
export interface InvoiceView {
  documentTitle: string;
  number: string;
  issueDate: string;
  dueDate: string;
  currency: string;
  /** The CSS `@page` size keyword: from a closed set, never user text. */
  pageSize: 'A4' | 'letter';
  watermark: { text: string; tone: WatermarkTone } | null;
  seller: PartyView;
  buyer: PartyView;
  lines: LineView[];
  totals: {
    subtotal: string;
    discount: string | null;
    tax: string | null;
    total: string;
    amountPaid: string;
    amountDue: string;
  };
  notes: string | null;
  footer: string | null;
}

const CSS_PAGE_SIZE: Record<PdfPageSize, InvoiceView['pageSize']> = { A4: 'A4', Letter: 'letter' };

const WATERMARK: Record<InvoiceStatus, WatermarkTone | null> = {
  draft: 'draft',
  open: null,
  paid: 'paid',
  void: 'void',
  uncollectible: null,
};

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// Quantities and rates are numeric(…, 4) columns: up to 4 decimals, printed without trailing zeros.
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 4 });

const NONE = '—';

/** The print job for one invoice: its HTML and the page.pdf() options that depend on it. */
export function invoicePrintJob(input: InvoiceDocumentInput): PrintJob {
  const view = invoiceView(input);
  return {
    html: invoiceHtmlTemplate(view),
    pageSize: input.pageSize,
    footerTemplate: invoiceFooterTemplate({ number: view.number }),
  };
}

/** The view model of an invoice document: pure, every value preformatted. */
export function invoiceView({ invoice, seller, buyer, pageSize }: InvoiceDocumentInput): InvoiceView {
  if (!invoice.lines) throw new Error(`Invoice ${invoice.id} was loaded without its lines`);
  const pageSizeCss = CSS_PAGE_SIZE[pageSize];
  if (!pageSizeCss) throw new RangeError(`Unknown PDF page size: ${String(pageSize)}`);
  const tone = WATERMARK[invoice.status];
  if (tone === undefined) throw new RangeError(`Unknown invoice status: ${String(invoice.status)}`);

  const money = (amount: number): string => formatMoney(amount, invoice.currency);
  const draft = invoice.status === 'draft';
  const number = invoice.number ?? 'Draft';
  return {
    documentTitle: `Invoice ${number}`,
    number,
    issueDate: invoice.issueDate ? formatDate(invoice.issueDate) : draft ? 'Not issued' : NONE,
    dueDate: dueDate(invoice),
    currency: invoice.currency,
    pageSize: pageSizeCss,
    watermark: tone ? { text: tone.toUpperCase(), tone } : null,
    seller: {
      name: seller.name,
      legalName: nonBlank(seller.legalName),
      addressLines: addressLines(seller.address),
      email: nonBlank(seller.email),
      taxId: nonBlank(seller.taxId),
    },
    buyer: {
      name: buyer.name,
      legalName: null,
      addressLines: addressLines(buyer.address),
      email: nonBlank(buyer.email),
      taxId: nonBlank(buyer.taxId),
    },
    lines: [...invoice.lines].sort((a, b) => a.position - b.position).map((line) => lineView(line, money)),
    totals: {
      subtotal: money(invoice.subtotal),
      discount: invoice.discountTotal > 0 ? money(-invoice.discountTotal) : null,
      tax: invoice.taxTotal > 0 ? money(invoice.taxTotal) : null,
      total: money(invoice.total),
      amountPaid: money(invoice.amountPaid),
      amountDue: money(invoice.amountDue),
    },
    notes: multiline(invoice.notes),
    footer: multiline(invoice.footer),
  };
}

/** 'YYYY-MM-DD' → '25 Nov 2026', read as a UTC calendar date (no time zone shifts it). */
export function formatDate(date: string): string {
  if (!isCalendarDate(date)) throw new RangeError(`Not a calendar date: ${date}`);
  const parsed = new Date(`${date}T00:00:00Z`);
  return `${parsed.getUTCDate()} ${MONTHS[parsed.getUTCMonth()]} ${parsed.getUTCFullYear()}`;
}

/** 1.5 → '1.5', 1000 → '1,000', 0.3333 → '0.3333'. */
export function formatQuantity(quantity: number): string {
  return decimal.format(quantity);
}

/** 10 → '10%', 7.25 → '7.25%', 0 → '—'. */
export function formatPercent(percent: number): string {
  return percent === 0 ? NONE : `${decimal.format(percent)}%`;
}

function dueDate(invoice: Invoice): string {
  if (invoice.dueDate) return formatDate(invoice.dueDate);
  if (invoice.status !== 'draft') return NONE;
  // A draft without a due date gets one at finalize, from its terms (or the default terms).
  const days = invoice.daysUntilDue ?? DEFAULT_DAYS_UNTIL_DUE;
  return `Net ${days} ${days === 1 ? 'day' : 'days'}`;
}

function lineView(line: InvoiceLine, money: (amount: number) => string): LineView {
  return {
    description: line.description,
    quantity: formatQuantity(line.quantity),
    unitPrice: money(line.unitAmount),
    discount: formatPercent(line.discountPercent),
    tax: formatPercent(line.taxRate),
    amount: money(line.amount),
  };
}

/** Printed address lines: line1, line2, "postalCode city", state, country; empty parts skipped. */
function addressLines(address: Address | null): string[] {
  if (!address) return [];
  const cityLine = [address.postalCode, address.city].map(nonBlank).filter(Boolean).join(' ');
  return [address.line1, address.line2, cityLine, address.state, address.country]
    .map(nonBlank)
    .filter((line): line is string => line !== null);
}

// Notes keep their own line breaks and indentation (printed pre-wrap); only blank ends are dropped.
function multiline(value: string | null): string | null {
  if (!value?.trim()) return null;
  return value.replace(/^\s*\n|\s+$/g, '');
}

function nonBlank(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}
