import { type DynamicModule, Module, type Type } from '@nestjs/common';
import type { AppConfig, WorkerQueue } from './config/app-config.js';
import { CoreModule } from './core.module.js';
import { PdfWorkersModule } from './pdf/pdf-workers.module.js';
import { SchedulerModule } from './scheduler/scheduler.module.js';
import { WebhookWorkersModule } from './webhooks/webhook-workers.module.js';

const FEATURES: Record<WorkerQueue, Type> = {
  maintenance: SchedulerModule,
  webhooks: WebhookWorkersModule,
  pdf: PdfWorkersModule,
};

/** The worker root: queue processors and scheduled jobs; over HTTP only /health (no API routes). */
@Module({})
export class WorkerModule {
  /** Every worker feature, whatever a process runs: the queues the dashboard shows. */
  static readonly features: Type[] = Object.values(FEATURES);

  /** The features of the queues this process works (WORKER_QUEUES). */
  static featuresFor(config: AppConfig): Type[] {
    return config.workerQueues.map((queue) => FEATURES[queue]);
  }

  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [CoreModule.forRoot(config), ...WorkerModule.featuresFor(config)],
    };
  }
}
