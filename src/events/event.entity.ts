import { Column, Entity, Index } from 'typeorm';
import { TenantEntity } from '../database/tenant.entity.js';
import type { EventType } from './event-types.js';

/** The outbox: one row per state change, written in the transaction that made the change. */
@Entity('events')
@Index(['organizationId', 'id'])
// The relay's queue: events not yet turned into deliveries, oldest first.
@Index('events_unrelayed', ['id'], { where: 'relayed_at IS NULL' })
export class Event extends TenantEntity {
  @Column('text')
  type!: EventType;

  /** The object as the API showed it right after the change. */
  @Column('jsonb')
  data!: object;

  /** The request that made the change (its X-Request-Id), to trace it into jobs and webhook deliveries. */
  @Column('text', { nullable: true })
  requestId!: string | null;

  /** When the relay turned it into webhook deliveries; null while it waits (see webhooks/relay). */
  @Column('timestamptz', { nullable: true })
  relayedAt!: Date | null;
}
