import { Check, Column, Entity, Index, JoinColumn, ManyToOne, type Relation } from 'typeorm';
import { decimalNumber, MONEY_COLUMN } from '../database/column-types.js';
import { BaseEntity } from '../database/base.entity.js';
import { Invoice } from './invoice.entity.js';

/** One line of an invoice; its amounts are computed by the server (invoice-totals.ts). */
@Entity('invoice_lines')
@Index(['invoiceId', 'position'], { unique: true })
@Check(
  `quantity > 0 AND unit_amount >= 0 AND discount_percent BETWEEN 0 AND 100 AND tax_rate BETWEEN 0 AND 100`,
)
@Check(`amount >= 0 AND discount_amount BETWEEN 0 AND amount AND tax_amount >= 0`)
export class InvoiceLine extends BaseEntity {
  @Column('uuid')
  invoiceId!: string;

  @ManyToOne(() => Invoice, (invoice) => invoice.lines, { onDelete: 'CASCADE' })
  @JoinColumn()
  invoice?: Relation<Invoice>;

  @Column('int')
  position!: number;

  @Column('text')
  description!: string;

  @Column('numeric', { precision: 19, scale: 4, transformer: decimalNumber })
  quantity!: number;

  @Column(MONEY_COLUMN)
  unitAmount!: number;

  @Column('numeric', { precision: 7, scale: 4, default: 0, transformer: decimalNumber })
  discountPercent!: number;

  @Column('numeric', { precision: 7, scale: 4, default: 0, transformer: decimalNumber })
  taxRate!: number;

  @Column(MONEY_COLUMN)
  amount!: number;

  @Column(MONEY_COLUMN)
  discountAmount!: number;

  @Column(MONEY_COLUMN)
  taxAmount!: number;
}
