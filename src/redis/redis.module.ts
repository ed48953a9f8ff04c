import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config.js';

export const REDIS = Symbol('REDIS');

/**
 * The request-path Redis client (rate limits, health). It fails fast instead of queueing commands
 * while Redis is away, so requests answer 503 rather than hang.
 */
@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [AppConfig],
      useFactory: async (config: AppConfig) => {
        const redis = new Redis(config.redisUrl, {
          maxRetriesPerRequest: 1,
          enableOfflineQueue: false,
          lazyConnect: true,
        });
        const logger = new Logger('Redis');
        redis.on('error', (error: Error) => logger.warn(`Redis unreachable: ${error.message}`));
        // Without an offline queue, commands sent before the first connection fail: connect before serving.
        // A Redis that is down does not stop the boot; ioredis keeps reconnecting in the background.
        await redis.connect().catch(() => undefined);
        return redis;
      },
    },
  ],
  exports: [REDIS],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
  }
}
