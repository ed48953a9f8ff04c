import { Check, Column, Entity, Index, JoinColumn, ManyToOne, OneToMany, type Relation } from 'typeorm';
import { MONEY_COLUMN } from '../database/column-types.js';
import { TenantEntity } from '../database/tenant.entity.js';
import { Invoice } from '../invoices/invoice.entity.js';
import { Refund } from './refund.entity.js';

export const PAYMENT_STATUSES = ['pending', 'succeeded', 'failed', 'refunded', 'partially_refunded'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export const PAYMENT_METHODS = ['card', 'bank_transfer', 'cash', 'check', 'stripe', 'other'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/** Money received (or attempted) against one invoice, in the invoice's currency. */
@Entity('payments')
@Index(['organizationId', 'id'])
@Index(['organizationId', 'invoiceId', 'id'])
@Index(['organizationId', 'customerId', 'id'])
@Index(['organizationId', 'status', 'id'])
// One payment per provider payment (a Stripe PaymentIntent), whatever the provider sends twice.
@Index(['provider', 'providerPaymentId'], { unique: true, where: 'provider_payment_id IS NOT NULL' })
@Check(`status IN ('pending', 'succeeded', 'failed', 'refunded', 'partially_refunded')`)
@Check(`amount > 0 AND amount_refunded >= 0 AND amount_refunded <= amount`)
export class Payment extends TenantEntity {
  @Column('uuid')
  invoiceId!: string;

  @ManyToOne(() => Invoice, { onDelete: 'RESTRICT' })
  @JoinColumn()
  invoice?: Relation<Invoice>;

  /** The invoice's customer, kept here so payments filter by customer without a join. */
  @Column('uuid')
  customerId!: string;

  @Column(MONEY_COLUMN)
  amount!: number;

  @Column({ ...MONEY_COLUMN, default: 0 })
  amountRefunded!: number;

  @Column('char', { length: 3 })
  currency!: string;

  @Column('text')
  status!: PaymentStatus;

  @Column('text')
  method!: PaymentMethod;

  @Column('text', { nullable: true })
  reference!: string | null;

  @Column('timestamptz')
  paidAt!: Date;

  /** 'stripe' for payments reported by Stripe; null for payments recorded through the API. */
  @Column('text', { nullable: true })
  provider!: string | null;

  @Column('text', { nullable: true })
  providerPaymentId!: string | null;

  @Column('text', { nullable: true })
  failureMessage!: string | null;

  @OneToMany(() => Refund, (refund) => refund.payment)
  refunds?: Relation<Refund[]>;
}
