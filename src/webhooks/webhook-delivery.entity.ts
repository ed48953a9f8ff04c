import { Check, Column, Entity, Index, JoinColumn, ManyToOne, type Relation } from 'typeorm';
import { TenantEntity } from '../database/tenant.entity.js';
import { Event } from '../events/event.entity.js';
import { WebhookEndpoint } from './webhook-endpoint.entity.js';

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * One event owed to one endpoint: Postgres, not Redis, is the record of what was delivered. `pending`
 * until a 2xx (`succeeded`) or until the retry schedule runs out or the endpoint goes away (`failed`).
 */
@Entity('webhook_deliveries')
@Index(['eventId', 'endpointId'], { unique: true })
@Index(['organizationId', 'endpointId', 'id'])
// What the sweeper scans for: deliveries still owed, by when they are due.
@Index('webhook_deliveries_due', ['nextAttemptAt'], { where: `status = 'pending'` })
@Check(`status IN ('pending', 'succeeded', 'failed')`)
export class WebhookDelivery extends TenantEntity {
  @Column('uuid')
  eventId!: string;

  @ManyToOne(() => Event, { onDelete: 'CASCADE' })
  @JoinColumn()
  event?: Relation<Event>;

  @Column('uuid')
  endpointId!: string;

  @ManyToOne(() => WebhookEndpoint, { onDelete: 'CASCADE' })
  @JoinColumn()
  endpoint?: Relation<WebhookEndpoint>;

  @Column('text', { default: 'pending' })
  status!: DeliveryStatus;

  /** Attempts made so far. */
  @Column('int', { default: 0 })
  attempts!: number;

  @Column('timestamptz', { nullable: true })
  nextAttemptAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  lastAttemptAt!: Date | null;
}
