import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/auth/auth-user.js';
import { DomainError } from '../common/errors/domain-error.js';
import { decodeCursor, type Page, toPage } from '../common/pagination/pagination.js';
import { Transactions } from '../database/transactions.js';
import {
  type ListNotificationsQueryDto,
  type NotificationResponseDto,
  type ReadAllNotificationsResponseDto,
  toNotificationResponse,
} from './dto/notification.dto.js';
import { NotificationsRepository } from './notifications.repository.js';

/** The caller's own notifications: every role sees and reads only what was sent to them. */
@Injectable()
export class NotificationsService {
  constructor(
    private readonly transactions: Transactions,
    private readonly notifications: NotificationsRepository,
  ) {}

  async list(actor: AuthUser, query: ListNotificationsQueryDto): Promise<Page<NotificationResponseDto>> {
    const rows = await this.notifications.listForRecipient(actor, {
      unread: query.unread,
      before: decodeCursor(query.cursor),
      limit: query.limit,
    });
    return toPage(rows, query.limit, toNotificationResponse);
  }

  /** Idempotent: reading a read notification answers it unchanged. Someone else's is as missing as none. */
  read(actor: AuthUser, id: string): Promise<NotificationResponseDto> {
    return this.transactions.run(async (manager) => {
      await this.notifications.markRead(manager, actor, id);
      const notification = await this.notifications.findForRecipient(manager, actor, id);
      if (!notification) throw new DomainError('notification_not_found', `No notification ${id}`);
      return toNotificationResponse(notification);
    });
  }

  readAll(actor: AuthUser): Promise<ReadAllNotificationsResponseDto> {
    return this.transactions.run(async (manager) => ({
      updated: await this.notifications.markAllRead(manager, actor),
    }));
  }
}
