import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, IsNull } from 'typeorm';
import { Notification } from './notification.entity.js';

/** Whose notifications a query touches: one person in one organization, never anyone else's. */
export interface Recipient {
  organizationId: string;
  userId: string;
}

export interface NotificationListFilter {
  /** true: unread only; false: read only; undefined: both. */
  unread?: boolean;
  /** Continue below this id (keyset). */
  before?: string;
  limit: number;
}

/** Notification queries, always for one recipient. */
@Injectable()
export class NotificationsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findForRecipient(manager: EntityManager, recipient: Recipient, id: string): Promise<Notification | null> {
    return manager.findOneBy(Notification, { ...scope(recipient), id });
  }

  /** Newest first, `limit + 1` rows so the caller knows whether another page follows. */
  listForRecipient(recipient: Recipient, filter: NotificationListFilter): Promise<Notification[]> {
    const query = this.dataSource.manager
      .createQueryBuilder(Notification, 'notification')
      .where(
        'notification.organizationId = :organizationId AND notification.userId = :userId',
        scope(recipient),
      )
      .orderBy('notification.id', 'DESC')
      .limit(filter.limit + 1);
    if (filter.before) query.andWhere('notification.id < :before', { before: filter.before });
    if (filter.unread !== undefined) {
      query.andWhere(filter.unread ? 'notification.readAt IS NULL' : 'notification.readAt IS NOT NULL');
    }
    return query.getMany();
  }

  /** Marks one notification read unless it already is, so the first readAt stays. */
  async markRead(manager: EntityManager, recipient: Recipient, id: string): Promise<void> {
    await manager.update(Notification, { ...scope(recipient), id, readAt: IsNull() }, { readAt: new Date() });
  }

  /** Marks every unread notification of the recipient read; answers how many were. */
  async markAllRead(manager: EntityManager, recipient: Recipient): Promise<number> {
    const result = await manager.update(
      Notification,
      { ...scope(recipient), readAt: IsNull() },
      { readAt: new Date() },
    );
    return result.affected ?? 0;
  }
}

const scope = ({ organizationId, userId }: Recipient) => ({ organizationId, userId });
