import { Module } from '@nestjs/common';
import { IdempotencyKeysRepository } from './idempotency-keys.repository.js';

/** The key store; the API root registers IdempotencyInterceptor, the scheduler cleans the store up. */
@Module({ providers: [IdempotencyKeysRepository], exports: [IdempotencyKeysRepository] })
export class IdempotencyModule {}
