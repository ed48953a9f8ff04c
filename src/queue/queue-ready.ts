import type { Queue } from 'bullmq';

/**
 * Whether the queue's Redis connection is up. Its client only exists once it first connected, so the answer
 * is false after a second rather than never. Commands sent to an absent Redis would pile up in the client's
 * offline queue: producers ask this first and leave the work to their next poll.
 */
export function queueReady(queue: Queue): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 1000)));
  const ready = queue
    .getBackend()
    .client.then((client) => client.status === 'ready')
    .catch(() => false);
  return Promise.race([ready, gaveUp]).finally(() => clearTimeout(timer));
}
