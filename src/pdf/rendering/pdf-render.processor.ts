import { createHash } from 'node:crypto';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { type BeforeApplicationShutdown, Inject, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { type Job, UnrecoverableError } from 'bullmq';
import type { Redis } from 'ioredis';
import { withRequestId } from '../../common/tracing/request-context.js';
import { AppConfig } from '../../config/app-config.js';
import { Metrics } from '../../metrics/metrics.js';
import { REDIS } from '../../redis/redis.module.js';
import { invoicePrintJob } from '../document/invoice-document.js';
import { InvoicePdfs } from '../invoice-pdfs.js';
import { PDF_QUEUE, type PdfJob, PREVIEW_JOB, type PreviewJob, type RenderJob } from '../queue/pdf-jobs.js';
import { PdfStore } from '../storage/pdf-store.js';
import { PdfRenderer } from './pdf-renderer.js';

type RenderOutcome = 'ready' | 'stale';

/**
 * Renders invoice PDFs, `pdfConcurrency` at once. A render job prints one version of an issued invoice,
 * stores it and records it ready (with invoice.pdf_ready); its last failed attempt records it failed (with
 * invoice.pdf_failed) so no client waits on a PDF that will not come. A preview job prints a draft and hands
 * the bytes back through the queue.
 */
// A worker killed mid-render leaves its job locked for 30 s; checking for stalled jobs every 5 s hands it
// to another worker soon after the lock lapses.
@Processor(PDF_QUEUE, { stalledInterval: 5_000 })
export class PdfRenderProcessor
  extends WorkerHost
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(PdfRenderProcessor.name);

  constructor(
    private readonly renderer: PdfRenderer,
    private readonly pdfs: InvoicePdfs,
    private readonly store: PdfStore,
    private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly metrics: Metrics,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.pdfConcurrency;
  }

  process(job: Job<PdfJob>): Promise<RenderOutcome | string> {
    // The request that asked for the PDF is the request this render's logs and events belong to.
    return withRequestId(job.data.requestId, () =>
      job.name === PREVIEW_JOB ? this.preview(job.data as PreviewJob) : this.render(job as Job<RenderJob>),
    );
  }

  private async render(job: Job<RenderJob>): Promise<RenderOutcome> {
    const input = await this.pdfs.renderInput(job.data);
    if (!input) return 'stale';
    try {
      const pdf = await this.metrics.timePdfRender('render', () =>
        this.renderer.render(invoicePrintJob(input)),
      );
      const sha256 = createHash('sha256').update(pdf).digest('hex');
      await this.store.put(job.data.invoiceId, sha256, pdf);
      if (!(await this.pdfs.markReady(job.data, sha256))) return 'stale';
      await this.store.prune(job.data.invoiceId, sha256);
      this.logger.log(`PDF of invoice ${job.data.invoiceId} v${job.data.version} ready: ${pdf.length} bytes`);
      return 'ready';
    } catch (error) {
      if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
        this.logger.error(
          `PDF of invoice ${job.data.invoiceId} failed for good: ${(error as Error).message}`,
        );
        await this.pdfs.markFailed(job.data);
      }
      throw error;
    }
  }

  /** The preview's bytes, base64 (a job's return value is JSON). */
  private async preview({ organizationId, invoiceId }: PreviewJob): Promise<string> {
    const input = await this.pdfs.previewInput(organizationId, invoiceId);
    if (!input) throw new UnrecoverableError(`Invoice ${invoiceId} is no longer a draft`);
    const pdf = await this.metrics.timePdfRender('preview', () =>
      this.renderer.render(invoicePrintJob(input)),
    );
    return pdf.toString('base64');
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.logger.warn(`PDF worker: ${error.message}`);
  }

  // Stop taking jobs and let those in flight finish while the browser (closed on application shutdown) and
  // the database are still there. With Redis away no job can be acknowledged, so close at once: the
  // invoices are still pending and the dispatcher hands them over again.
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.close(this.redis.status !== 'ready');
  }
}
