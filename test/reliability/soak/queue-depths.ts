import { Queue } from 'bullmq';
import { PDF_QUEUE } from '../../../src/pdf/queue/pdf-jobs.js';
import { WEBHOOKS_QUEUE } from '../../../src/webhooks/delivery/webhook-delivery.producer.js';

/** Jobs waiting in the pdf and webhooks queues: whether the worker keeps up, which the memory figures need beside them. */
export interface QueueDepth {
  pdf: number;
  webhooks: number;
}

export class QueueDepths {
  private readonly queues: Queue[];

  constructor(redisUrl: string) {
    // Fail at once while Redis is away rather than queue the command until it is back.
    const connection = { url: redisUrl, enableOfflineQueue: false };
    this.queues = [PDF_QUEUE, WEBHOOKS_QUEUE].map((name) => new Queue(name, { connection }));
    for (const queue of this.queues) queue.on('error', () => undefined);
  }

  async now(): Promise<QueueDepth> {
    const [pdf, webhooks] = await Promise.all(
      this.queues.map(async (queue) =>
        Object.values(await queue.getJobCounts('waiting', 'prioritized')).reduce((sum, n) => sum + n, 0),
      ),
    );
    return { pdf, webhooks };
  }

  async close(): Promise<void> {
    await Promise.all(this.queues.map((queue) => queue.close()));
  }
}
