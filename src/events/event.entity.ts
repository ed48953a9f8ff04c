import { Column, Entity, Index } from 'typeorm';
import { TenantEntity } from '../database/tenant.entity.js';
import type { EventType } from './event-types.js';

/** The outbox: one row per state change, written in the transaction that made the change. */
@Entity('events')
@Index(['organizationId', 'id'])
export class Event extends TenantEntity {
  @Column('text')
  type!: EventType;

  /** The object as the API showed it right after the change. */
  @Column('jsonb')
  data!: object;
}
