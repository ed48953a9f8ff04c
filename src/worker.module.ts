import { type DynamicModule, Module, type Type } from '@nestjs/common';
import type { AppConfig } from './config/app-config.js';
import { CoreModule } from './core.module.js';
import { SchedulerModule } from './scheduler/scheduler.module.js';
import { WebhookWorkersModule } from './webhooks/webhook-workers.module.js';

/** The worker root: queue processors and scheduled jobs; over HTTP only /health (no API routes). */
@Module({})
export class WorkerModule {
  // Processor modules (PDF rendering, webhook delivery, the outbox relay) join this list as they are built.
  static readonly features: Type[] = [SchedulerModule, WebhookWorkersModule];

  static forRoot(config: AppConfig): DynamicModule {
    return { module: WorkerModule, imports: [CoreModule.forRoot(config), ...WorkerModule.features] };
  }
}
