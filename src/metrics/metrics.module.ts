import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { HttpMetrics } from './http-metrics.js';
import { MetricsController } from './metrics.controller.js';
import { Metrics } from './metrics.js';
import { QueueMetrics } from './queue-metrics.js';

// Global, so any feature (a processor) can record into the process's metrics.
@Global()
@Module({
  imports: [DiscoveryModule],
  controllers: [MetricsController],
  providers: [Metrics, HttpMetrics, QueueMetrics],
  exports: [Metrics],
})
export class MetricsModule {}
