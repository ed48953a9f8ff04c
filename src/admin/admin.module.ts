import { BullModule } from '@nestjs/bullmq';
import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { AppConfig } from '../config/app-config.js';
import { WorkerModule } from '../worker.module.js';
import { queueNamesRegisteredBy } from './queue-names.js';
import { QueueDashboard } from './queue-dashboard.js';

/** Operator pages of the API: the queue dashboard (served only when ADMIN_USER/ADMIN_PASSWORD are set). */
@Module({})
export class AdminModule {
  /** `running`: the modules this process runs, whose queues are registered already. */
  static forRoot(config: AppConfig, running: Type[]): DynamicModule {
    // The dashboard shows every queue. Those of workers this process does not run (all of them in an
    // api-only process) it registers itself, without processors.
    const registered = new Set(queueNamesRegisteredBy(running));
    const missing = queueNamesRegisteredBy(WorkerModule.features).filter((name) => !registered.has(name));
    const workerQueues =
      config.admin && missing.length > 0
        ? [BullModule.registerQueue(...missing.map((name) => ({ name })))]
        : [];
    return {
      module: AdminModule,
      imports: [DiscoveryModule, ...workerQueues],
      providers: [QueueDashboard],
    };
  }
}
