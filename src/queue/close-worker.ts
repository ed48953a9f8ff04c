import type { Worker } from 'bullmq';
import { withTimeout } from '../common/with-timeout.js';

/**
 * Stops a BullMQ worker: gracefully (the jobs in progress finish) while its connections are up, at once
 * otherwise. BullMQ's graceful close waits for its blocking connection to end, which a connection still
 * reconnecting (Redis away, or back only a moment ago) never does: the stop would hang (bullmq#4656). With
 * Redis away no job could be acknowledged anyway; the rows in Postgres are still pending and the
 * dispatchers hand them over again.
 */
export async function closeWorker(worker: Worker): Promise<void> {
  // The blocking client is BullMQ's own, not public API: read with care, and close at once when unsure.
  type Client = Promise<{ status: string }> | undefined;
  const backend = (worker as unknown as { backend?: { client?: Client; blockingClient?: Client } }).backend;
  // A connection that never came up never hands its client over: not ready either.
  const statusOf = (client: Client) =>
    client
      ? withTimeout(client, 100, () => new Error('no client')).then(
          ({ status }) => status,
          () => 'unknown',
        )
      : 'none';
  const statuses = await Promise.all([backend?.client, backend?.blockingClient].map(statusOf));
  await worker.close(!statuses.every((status) => status === 'ready'));
}
