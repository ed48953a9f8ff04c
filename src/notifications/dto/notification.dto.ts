import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import { QueryBoolean } from '../../common/http/query-boolean.js';
import { PageQueryDto } from '../../common/pagination/pagination.js';
import { NOTIFICATION_TYPES, type NotificationType } from '../notification-types.js';
import type { Notification } from '../notification.entity.js';

export class ListNotificationsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'true: unread only; false: read only; default: both' })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  unread?: boolean;
}

export class NotificationResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: NOTIFICATION_TYPES, example: 'invoice.overdue' }) type!: NotificationType;
  @ApiProperty({ example: 'Invoice INV-000042 for Globex is overdue (due 2026-12-25)' }) message!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { invoiceId: '019a2b3c-4d5e-7f60-8a1b-2c3d4e5f6a7b' },
    description: 'Ids of what it is about, for linking',
  })
  data!: Record<string, string>;
  @ApiProperty() read!: boolean;
  @ApiProperty({ type: Date, nullable: true, description: 'When it was first read' }) readAt!: Date | null;
  @ApiProperty() createdAt!: Date;
}

export class NotificationPageDto {
  @ApiProperty({ type: [NotificationResponseDto] }) data!: NotificationResponseDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class ReadAllNotificationsResponseDto {
  @ApiProperty({ example: 3, description: 'How many unread notifications were marked read' })
  updated!: number;
}

export function toNotificationResponse(notification: Notification): NotificationResponseDto {
  return {
    id: notification.id,
    type: notification.type,
    message: notification.message,
    data: notification.data,
    read: notification.readAt !== null,
    readAt: notification.readAt,
    createdAt: notification.createdAt,
  };
}
