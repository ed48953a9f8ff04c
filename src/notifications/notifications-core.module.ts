import { Module } from '@nestjs/common';
import { Notifier } from './notifier.js';

/** Writing notifications, without HTTP routes, so the worker role can notify too. */
@Module({ providers: [Notifier], exports: [Notifier] })
export class NotificationsCoreModule {}
