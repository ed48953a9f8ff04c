import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../common/auth/access.decorators.js';
import { ReadinessChecks } from './readiness-checks.js';
import { RedisHealthIndicator } from './redis.health.js';

@ApiTags('health')
@Controller('health')
@Public()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly features: ReadinessChecks,
  ) {}

  /** The process is up; restart it only when this fails. */
  @Get('live')
  @ApiOkResponse({ description: 'The process is running' })
  getLiveness(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Send traffic (or jobs) here only while Postgres and Redis answer, and what the features need (a browser). */
  @Get('ready')
  @HealthCheck()
  @ApiServiceUnavailableResponse({ description: 'A dependency is down' })
  getReadiness() {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: 2000 }),
      () => this.redis.check('redis'),
      ...this.features.all(),
    ]);
  }
}
