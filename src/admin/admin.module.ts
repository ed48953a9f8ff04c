import { BullModule } from '@nestjs/bullmq';
import { type DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { AppConfig } from '../config/app-config.js';
import { WorkerModule } from '../worker.module.js';
import { queueNamesRegisteredBy } from './queue-names.js';
import { QueueDashboard } from './queue-dashboard.js';

/** Operator pages of the API: the queue dashboard (served only when ADMIN_USER/ADMIN_PASSWORD are set). */
@Module({})
export class AdminModule {
  static forRoot(config: AppConfig): DynamicModule {
    // An api-only process runs no workers, so it registers the workers' queues itself (no processors)
    // for the dashboard to show; with APP_ROLE=all the worker modules have registered them already.
    const workerQueues =
      config.admin && config.role === 'api'
        ? [
            BullModule.registerQueue(
              ...queueNamesRegisteredBy(WorkerModule.features).map((name) => ({ name })),
            ),
          ]
        : [];
    return {
      module: AdminModule,
      imports: [DiscoveryModule, ...workerQueues],
      providers: [QueueDashboard],
    };
  }
}
