import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller.js';
import { ReadinessChecks } from './readiness-checks.js';
import { RedisHealthIndicator } from './redis.health.js';

// Global, so any feature module can add its readiness check.
@Global()
@Module({
  imports: [TerminusModule],
  controllers: [HealthController],
  providers: [RedisHealthIndicator, ReadinessChecks],
  exports: [ReadinessChecks, TerminusModule],
})
export class HealthModule {}
