import { Column, Entity, Index, JoinColumn, ManyToOne, type Relation } from 'typeorm';
import { TenantEntity } from '../database/tenant.entity.js';
import { WebhookDelivery } from './webhook-delivery.entity.js';

/** One HTTP request made for a delivery, as the delivery log shows it. */
@Entity('webhook_attempts')
@Index(['deliveryId', 'id'])
export class WebhookAttempt extends TenantEntity {
  @Column('uuid')
  deliveryId!: string;

  @ManyToOne(() => WebhookDelivery, { onDelete: 'CASCADE' })
  @JoinColumn()
  delivery?: Relation<WebhookDelivery>;

  /** 1 for the first attempt. */
  @Column('int')
  attempt!: number;

  /** The answer's status, or null when none came (timeout, refused, SSRF block). */
  @Column('int', { nullable: true })
  statusCode!: number | null;

  @Column('int')
  durationMs!: number;

  /** The first bytes of the answer (the worker reads at most 64 KiB; 1 KiB is kept). */
  @Column('text', { nullable: true })
  responseExcerpt!: string | null;

  @Column('text', { nullable: true })
  error!: string | null;

  /** When the next attempt is due after this one, or null when this one ended the delivery. */
  @Column('timestamptz', { nullable: true })
  nextAttemptAt!: Date | null;
}
