import { Module } from '@nestjs/common';
import { EventNotifications } from './event-notifications.js';

/** One shared LISTEN connection for every worker part that wakes on committed events. */
@Module({ providers: [EventNotifications], exports: [EventNotifications] })
export class EventNotificationsModule {}
