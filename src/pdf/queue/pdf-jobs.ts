import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { type JobsOptions, type Queue, QueueEvents } from 'bullmq';
import { queueReady } from '../../queue/queue-ready.js';

export const PDF_QUEUE = 'pdf';
export const RENDER_JOB = 'render';
export const PREVIEW_JOB = 'preview';

/** Render version `version` of an issued invoice's PDF and store it. */
export interface RenderJob {
  invoiceId: string;
  version: number;
  /** The request that asked for it, traced through the render. */
  requestId?: string | null;
}

/** Print a draft as it is at `revision` (its updatedAt) and hand the bytes back; nothing is stored. */
export interface PreviewJob {
  invoiceId: string;
  organizationId: string;
  revision: string;
  requestId?: string | null;
}

export type PdfJob = RenderJob | PreviewJob;

// Renders: retried with backoff, then the processor marks the PDF failed. Jobs are removed once done, so the
// job id dedupes only queued renders of a version; the dispatcher may always hand a version over again.
// Prioritized, so a preview (no priority: BullMQ takes those first) a client waits for never queues behind them.
const RENDER_OPTIONS: JobsOptions = {
  priority: 1,
  attempts: 3,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: true,
  removeOnFail: true,
};

// A preview's bytes travel back as the job's return value: kept a few minutes, so a client retrying after a
// 202 gets the finished preview of the same revision.
const PREVIEW_OPTIONS: JobsOptions = {
  attempts: 2,
  backoff: { type: 'fixed', delay: 500 },
  removeOnComplete: { age: 300 },
  removeOnFail: { age: 60 },
};

/** The only code that knows the `pdf` queue's job names, ids and options. */
@Injectable()
export class PdfJobs implements OnModuleDestroy {
  private readonly logger = new Logger(PdfJobs.name);
  private events: QueueEvents | null = null;

  constructor(@InjectQueue(PDF_QUEUE) private readonly queue: Queue<PdfJob>) {
    queue.on('error', (error) => this.logger.warn(`PDF queue: ${error.message}`));
  }

  /** Hands renders to the queue; a render of a version already queued is a no-op (same job id). */
  async enqueueRenders(renders: RenderJob[]): Promise<void> {
    if (renders.length === 0) return;
    await this.queue.addBulk(
      renders.map((data) => ({
        name: RENDER_JOB,
        data,
        // BullMQ refuses ':' in custom ids.
        opts: { ...RENDER_OPTIONS, jobId: `render_${data.invoiceId}_${data.version}` },
      })),
    );
  }

  /**
   * Asks a worker for a preview and waits up to `waitMs` for it; null when it is not done by then (the same
   * revision asked again joins the same job). Throws when the render failed.
   */
  async preview(data: PreviewJob, waitMs: number): Promise<Buffer | null> {
    // With Redis away the job would wait in the client's offline queue and the request with it.
    if (!(await queueReady(this.queue))) throw new Error('Redis is unreachable; try again shortly');
    const jobId = `preview_${data.invoiceId}_${data.revision.replace(/\D/g, '')}`;
    const job = await this.queue.add(PREVIEW_JOB, data, { ...PREVIEW_OPTIONS, jobId });
    try {
      const base64: string = await job.waitUntilFinished(await this.queueEvents(), waitMs);
      return Buffer.from(base64, 'base64');
    } catch (error) {
      if (/timed out/i.test((error as Error).message)) return null;
      throw error;
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.events?.close();
  }

  private async queueEvents(): Promise<QueueEvents> {
    if (!this.events) {
      this.events = new QueueEvents(PDF_QUEUE, { connection: this.queue.opts.connection });
      this.events.on('error', (error) => this.logger.warn(`PDF queue events: ${error.message}`));
    }
    await this.events.waitUntilReady();
    return this.events;
  }
}
