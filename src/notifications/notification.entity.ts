import { Check, Column, Entity, Index, JoinColumn, ManyToOne, type Relation } from 'typeorm';
import { User } from '../auth/user.entity.js';
import { TenantEntity } from '../database/tenant.entity.js';
import { NOTIFICATION_TYPES, type NotificationType } from './notification-types.js';

/** An in-app message for one person of an organization; the recipient alone sees and reads it. */
@Entity('notifications')
@Check(`type IN (${NOTIFICATION_TYPES.map((type) => `'${type}'`).join(', ')})`)
@Index(['userId', 'id'])
// The unread list and read-all touch only unread rows, which stay few while the table grows.
@Index('notifications_unread', ['userId', 'id'], { where: 'read_at IS NULL' })
export class Notification extends TenantEntity {
  @Column('uuid')
  userId!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn()
  user?: Relation<User>;

  @Column('text')
  type!: NotificationType;

  /** Human readable, ready to show: "Invoice INV-000042 from Globex was paid". */
  @Column('text')
  message!: string;

  /** The ids a client needs to link to what it is about, e.g. `{ invoiceId }`. */
  @Column('jsonb')
  data!: Record<string, string>;

  @Column('timestamptz', { nullable: true })
  readAt!: Date | null;
}
