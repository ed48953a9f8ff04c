import {
  BeforeInsert,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  type Relation,
} from 'typeorm';
import { newId } from '../database/ids.js';
import { Organization } from '../organizations/organization.entity.js';
import type { EventType } from './event-types.js';

/** The outbox: one immutable row per state change, written in the transaction that made the change. */
@Entity('events')
@Index(['organizationId', 'id'])
export class Event {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  organizationId!: string;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn()
  organization?: Relation<Organization>;

  @Column('text')
  type!: EventType;

  /** The object as the API showed it right after the change. */
  @Column('jsonb')
  data!: object;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @BeforeInsert()
  protected assignId(): void {
    this.id ??= newId();
  }
}
