import { Check, Column, Entity } from 'typeorm';
import { BaseEntity } from '../database/base.entity.js';
import type { Address } from '../common/http/address.dto.js';

export const PDF_PAGE_SIZES = ['A4', 'Letter'] as const;
export type PdfPageSize = (typeof PDF_PAGE_SIZES)[number];

/** A tenant, and the seller profile printed on its invoices. */
@Entity('organizations')
@Check(`pdf_page_size IN ('A4', 'Letter')`)
export class Organization extends BaseEntity {
  @Column('text')
  name!: string;

  @Column('text', { nullable: true })
  legalName!: string | null;

  @Column('text', { nullable: true })
  email!: string | null;

  @Column('text', { nullable: true })
  taxId!: string | null;

  @Column('jsonb', { nullable: true })
  address!: Address | null;

  @Column('char', { length: 3, default: 'USD' })
  defaultCurrency!: string;

  @Column('text', { default: 'INV-' })
  invoiceNumberPrefix!: string;

  @Column('text', { default: 'A4' })
  pdfPageSize!: PdfPageSize;

  /** The number the next finalized invoice takes; bumped in the finalize transaction, so gapless. */
  @Column('int', { default: 1 })
  nextInvoiceNumber!: number;
}
