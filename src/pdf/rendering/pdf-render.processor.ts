import { createHash } from 'node:crypto';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { type BeforeApplicationShutdown, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { type Job, UnrecoverableError } from 'bullmq';
import { withRequestId } from '../../common/tracing/request-context.js';
import { AppConfig } from '../../config/app-config.js';
import { Metrics } from '../../metrics/metrics.js';
import { closeWorker } from '../../queue/close-worker.js';
import { invoicePrintJob } from '../document/invoice-document.js';
import { InvoicePdfs } from '../invoice-pdfs.js';
import { PDF_QUEUE, type PdfJob, PREVIEW_JOB, type PreviewJob, type RenderJob } from '../queue/pdf-jobs.js';
import { PdfStore } from '../storage/pdf-store.js';
import { PdfRenderer } from './pdf-renderer.js';
import { Slots } from '../../common/slots.js';

type RenderOutcome = 'ready' | 'stale';

/**
 * Jobs in hand per page: while one job prints, another loads its invoice or stores and records its PDF, so
 * the pages never wait on the database (measured: ~20 ms of that per ~90 ms print idled a page a fifth of the
 * time).
 */
export const JOBS_PER_PAGE = 2;

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
  /** Prints in progress: at most one per warm page. */
  private readonly slots: Slots;

  constructor(
    private readonly renderer: PdfRenderer,
    private readonly pdfs: InvoicePdfs,
    private readonly store: PdfStore,
    private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {
    super();
    this.slots = new Slots(config.pdfConcurrency);
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.pdfConcurrency * JOBS_PER_PAGE;
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
      const print = invoicePrintJob(input);
      const pdf = await this.slots.run(() =>
        this.metrics.timePdfRender('render', () => this.renderer.render(print)),
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
    const print = invoicePrintJob(input);
    const pdf = await this.slots.run(() =>
      this.metrics.timePdfRender('preview', () => this.renderer.render(print)),
    );
    return pdf.toString('base64');
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.logger.warn(`PDF worker: ${error.message}`);
  }

  // Stop taking jobs and let those in flight finish while the browser (closed on application shutdown) and
  // the database are still there (at once when Redis is away: see closeWorker).
  async beforeApplicationShutdown(): Promise<void> {
    await closeWorker(this.worker);
  }
}
