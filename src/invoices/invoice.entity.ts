import { Check, Column, Entity, Index, JoinColumn, ManyToOne, OneToMany, type Relation } from 'typeorm';
import type { Address } from '../common/http/address.dto.js';
import { Customer } from '../customers/customer.entity.js';
import { MONEY_COLUMN } from '../database/column-types.js';
import { TenantEntity } from '../database/tenant.entity.js';
import { InvoiceLine } from './invoice-line.entity.js';
import type { PdfStatus } from './invoice-pdf.js';
import type { InvoiceStatus } from './invoice-status.js';

/** The buyer as printed on an issued invoice: frozen at finalize. */
export interface CustomerSnapshot {
  name: string;
  email: string;
  address: Address | null;
  taxId: string | null;
}

/** The seller (the organization's profile) as printed on an issued invoice: frozen at finalize. */
export interface SellerSnapshot {
  name: string;
  legalName: string | null;
  email: string | null;
  address: Address | null;
  taxId: string | null;
}

const MAX_SAFE = '9007199254740991';

@Entity('invoices')
@Index(['organizationId', 'id'])
@Index(['organizationId', 'status', 'id'])
@Index(['organizationId', 'customerId', 'id'])
@Index(['organizationId', 'issueDate'])
@Index(['organizationId', 'dueDate'], { where: `status = 'open'` })
@Index(['organizationId', 'number'], { unique: true })
// What the overdue job scans for: open, past due, not yet announced.
@Index('invoices_overdue_pending', ['dueDate'], { where: `status = 'open' AND overdue_at IS NULL` })
// Trigram index for ?q= on the number; created by hand in the migration (TypeORM cannot express it).
@Index('invoices_number_trgm', { synchronize: false })
@Check(`status IN ('draft', 'open', 'paid', 'void', 'uncollectible')`)
@Check(`(status = 'draft') = (number IS NULL)`)
@Check(`subtotal >= 0 AND discount_total >= 0 AND tax_total >= 0 AND total >= 0 AND total <= ${MAX_SAFE}`)
@Check(`amount_paid >= 0 AND amount_due >= 0 AND amount_paid + amount_due = total`)
// Drafts have no stored PDF (only previews); every issued invoice has one, pending until rendered.
@Check(`pdf_status IN ('pending', 'ready', 'failed') AND (status = 'draft') = (pdf_status IS NULL)`)
@Check(`(pdf_status = 'ready') = (pdf_sha256 IS NOT NULL)`)
// What the PDF dispatcher scans for: renders not yet handed to the queue (or handed long ago).
@Index('invoices_pdf_pending', ['pdfQueuedAt'], { where: `pdf_status = 'pending'` })
export class Invoice extends TenantEntity {
  @Column('uuid')
  customerId!: string;

  @ManyToOne(() => Customer, { onDelete: 'RESTRICT' })
  @JoinColumn()
  customer?: Relation<Customer>;

  /** Assigned at finalize: the organization's prefix and next number, gapless. */
  @Column('text', { nullable: true })
  number!: string | null;

  @Column('text')
  status!: InvoiceStatus;

  @Column('char', { length: 3 })
  currency!: string;

  @Column('date', { nullable: true })
  issueDate!: string | null;

  @Column('date', { nullable: true })
  dueDate!: string | null;

  @Column('int', { nullable: true })
  daysUntilDue!: number | null;

  @Column(MONEY_COLUMN)
  subtotal!: number;

  @Column(MONEY_COLUMN)
  discountTotal!: number;

  @Column(MONEY_COLUMN)
  taxTotal!: number;

  @Column(MONEY_COLUMN)
  total!: number;

  @Column({ ...MONEY_COLUMN, default: 0 })
  amountPaid!: number;

  @Column(MONEY_COLUMN)
  amountDue!: number;

  @Column('text', { nullable: true })
  notes!: string | null;

  @Column('text', { nullable: true })
  footer!: string | null;

  @Column('jsonb', { default: {} })
  metadata!: Record<string, string>;

  @Column('jsonb', { nullable: true })
  customerSnapshot!: CustomerSnapshot | null;

  @Column('jsonb', { nullable: true })
  sellerSnapshot!: SellerSnapshot | null;

  @Column('timestamptz', { nullable: true })
  finalizedAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  sentAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  paidAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  voidedAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  markedUncollectibleAt!: Date | null;

  /** When invoice.overdue was emitted; set once, so the event goes out once per invoice. */
  @Column('timestamptz', { nullable: true })
  overdueAt!: Date | null;

  /** The stored PDF's state: null on drafts; pending until version pdfVersion is rendered. */
  @Column('text', { nullable: true })
  pdfStatus!: PdfStatus | null;

  /** Bumped with every change the PDF shows; a render is of one version, and stale once it moves on. */
  @Column('int', { default: 0 })
  pdfVersion!: number;

  /** sha256 (hex) of the stored PDF of pdfVersion, set when it is ready: the ETag and the storage key. */
  @Column('char', { length: 64, nullable: true })
  pdfSha256!: string | null;

  @Column('timestamptz', { nullable: true })
  pdfGeneratedAt!: Date | null;

  /** When the dispatcher last handed the pending render to the queue; null while not yet handed. */
  @Column('timestamptz', { nullable: true })
  pdfQueuedAt!: Date | null;

  /** The request that asked for the pending render, carried into its job and invoice.pdf_ready. */
  @Column('text', { nullable: true })
  pdfRequestId!: string | null;

  @OneToMany(() => InvoiceLine, (line) => line.invoice)
  lines?: Relation<InvoiceLine[]>;
}
