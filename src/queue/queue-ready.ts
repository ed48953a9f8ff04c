import type { Queue } from 'bullmq';
import { withTimeout } from '../common/with-timeout.js';

/**
 * Whether the queue's Redis connection is up. Its client only exists once it first connected, so the answer
 * is false after a second rather than never. Commands sent to an absent Redis would pile up in the client's
 * offline queue: producers ask this first and leave the work to their next poll.
 */
export function queueReady(queue: Queue): Promise<boolean> {
  const ready = queue.getBackend().client.then((client) => client.status === 'ready');
  return withTimeout(ready, 1000, () => new Error('no Redis connection yet')).catch(() => false);
}
