import { getQueueToken } from '@nestjs/bullmq';
import type { DynamicModule, ForwardReference, Type } from '@nestjs/common';
import { MODULE_METADATA } from '@nestjs/common/constants.js';

type ModuleRef = Type | DynamicModule | Promise<DynamicModule> | ForwardReference | undefined;

// BullMQ's queue tokens are this prefix and the queue name.
const QUEUE_TOKEN_PREFIX = getQueueToken('x').slice(0, -1);

/** `name` when `token` is BullMQ's injection token for a queue of that name. */
function queueNameOf(token: unknown): string | null {
  if (typeof token !== 'string' || !token.startsWith(QUEUE_TOKEN_PREFIX)) return null;
  const name = token.slice(QUEUE_TOKEN_PREFIX.length);
  return name && getQueueToken(name) === token ? name : null;
}

/**
 * Names of the BullMQ queues that these modules (and what they import) register with
 * BullModule.registerQueue, read from their module metadata without instantiating them.
 */
export function queueNamesRegisteredBy(modules: ModuleRef[]): string[] {
  const names = new Set<string>();
  const seen = new Set<unknown>();
  const visit = (ref: ModuleRef) => {
    if (!ref || ref instanceof Promise || seen.has(ref)) return;
    seen.add(ref);
    if ('forwardRef' in ref) return visit(ref.forwardRef());
    const dynamic = 'module' in ref ? ref : undefined;
    const moduleClass = dynamic ? dynamic.module : (ref as Type);
    const imports: ModuleRef[] = [
      ...((Reflect.getMetadata(MODULE_METADATA.IMPORTS, moduleClass) as ModuleRef[] | undefined) ?? []),
      ...(dynamic?.imports ?? []),
    ];
    for (const provider of dynamic?.providers ?? []) {
      const name = 'provide' in provider ? queueNameOf(provider.provide) : null;
      if (name) names.add(name);
    }
    imports.forEach(visit);
  };
  modules.forEach(visit);
  return [...names].sort();
}
