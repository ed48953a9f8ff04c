import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, RequireRole } from '../common/auth/access.decorators.js';
import type { AuthUser } from '../common/auth/auth-user.js';
import { ApiProblems } from '../common/http/api-problems.decorator.js';
import { UuidParamPipe } from '../common/http/uuid-param.pipe.js';
import type { Page } from '../common/pagination/pagination.js';
import {
  ListNotificationsQueryDto,
  NotificationPageDto,
  NotificationResponseDto,
  ReadAllNotificationsResponseDto,
} from './dto/notification.dto.js';
import { NotificationsService } from './notifications.service.js';

@ApiTags('notifications')
@Controller('v1/notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @RequireRole('viewer')
  @ApiOperation({ summary: 'The caller’s own notifications, newest first' })
  @ApiOkResponse({ type: NotificationPageDto })
  @ApiProblems(400)
  listNotifications(
    @CurrentUser() user: AuthUser,
    @Query() query: ListNotificationsQueryDto,
  ): Promise<Page<NotificationResponseDto>> {
    return this.notifications.list(user, query);
  }

  @Post('read-all')
  @HttpCode(200)
  @RequireRole('viewer')
  @ApiOperation({ summary: 'Mark all of the caller’s unread notifications read' })
  @ApiOkResponse({ type: ReadAllNotificationsResponseDto })
  readAllNotifications(@CurrentUser() user: AuthUser): Promise<ReadAllNotificationsResponseDto> {
    return this.notifications.readAll(user);
  }

  @Post(':id/read')
  @HttpCode(200)
  @RequireRole('viewer')
  @ApiOperation({ summary: 'Mark one notification read; reading it again keeps the first readAt' })
  @ApiOkResponse({ type: NotificationResponseDto })
  @ApiProblems(400, 404)
  readNotification(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<NotificationResponseDto> {
    return this.notifications.read(user, id);
  }
}
