import {
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  type Relation,
} from 'typeorm';
import { Invoice } from '../../invoices/invoice.entity.js';

/** The bytes of one rendered PDF of an invoice, keyed by their sha256 (PostgresPdfStore). */
@Entity('invoice_pdfs')
export class InvoicePdf {
  @PrimaryColumn('uuid')
  invoiceId!: string;

  @PrimaryColumn('char', { length: 64 })
  sha256!: string;

  @ManyToOne(() => Invoice, { onDelete: 'CASCADE' })
  @JoinColumn()
  invoice?: Relation<Invoice>;

  @Column('bytea')
  content!: Buffer;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
