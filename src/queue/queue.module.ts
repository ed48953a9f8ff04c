import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';

/** The one BullMQ connection setting; feature modules register their queues with BullModule.registerQueue. */
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        // Reconnect at most 2 s apart: ioredis' default backs off to 20 s, so workers would sit idle
        // that long after Redis comes back.
        connection: {
          url: config.redisUrl,
          retryStrategy: (attempt: number) => Math.min(attempt * 200, 2000),
        },
      }),
    }),
  ],
})
export class QueueModule {}
