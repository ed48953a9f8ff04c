import type { DiscoveryService } from '@nestjs/core';
import { Queue } from 'bullmq';

/**
 * Every distinct BullMQ queue this process's modules registered, by name: found through Nest's container, so
 * a feature module's new queue shows on the dashboard and in the metrics without an edit there.
 */
export function registeredQueues(discovery: DiscoveryService): Queue[] {
  const byName = new Map<string, Queue>();
  for (const wrapper of discovery.getProviders()) {
    const instance: unknown = wrapper.isDependencyTreeStatic() ? wrapper.instance : undefined;
    if (instance instanceof Queue && !byName.has(instance.name)) byName.set(instance.name, instance);
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}
