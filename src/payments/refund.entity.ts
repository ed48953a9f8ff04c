import { Check, Column, Entity, Index, JoinColumn, ManyToOne, type Relation } from 'typeorm';
import { MONEY_COLUMN } from '../database/column-types.js';
import { TenantEntity } from '../database/tenant.entity.js';
import { Payment } from './payment.entity.js';

/** Money given back from one payment. */
@Entity('refunds')
@Index(['paymentId', 'id'])
@Check(`amount > 0`)
export class Refund extends TenantEntity {
  @Column('uuid')
  paymentId!: string;

  @ManyToOne(() => Payment, (payment) => payment.refunds, { onDelete: 'CASCADE' })
  @JoinColumn()
  payment?: Relation<Payment>;

  @Column(MONEY_COLUMN)
  amount!: number;

  @Column('text', { nullable: true })
  reason!: string | null;
}
