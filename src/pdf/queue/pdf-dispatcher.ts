import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { CoalescingRunner } from '../../queue/coalescing-runner.js';
import { queueReady } from '../../queue/queue-ready.js';
import { EventNotifications } from '../../events/event-notifications.js';
import { PDF_QUEUE, PdfJobs, type RenderJob } from './pdf-jobs.js';

/** How often pending renders are looked for when no committed event wakes the dispatcher. */
export const PDF_DISPATCH_POLL_MS = 1000;
/** A render handed to the queue this long ago and still pending is handed over again (Redis lost it). */
export const PDF_REQUEUE_AFTER_S = 60;
const BATCH = 200;

/**
 * One statement: take pending renders not yet handed to the queue (or handed long ago), skipping invoices
 * a transaction holds, and stamp them as handed now.
 */
const CLAIM = `
  UPDATE invoices SET pdf_queued_at = now()
   WHERE id IN (
     SELECT id FROM invoices
      WHERE pdf_status = 'pending'
        AND (pdf_queued_at IS NULL OR pdf_queued_at < now() - make_interval(secs => $2))
      LIMIT $1
        FOR UPDATE SKIP LOCKED)
  RETURNING id AS "invoiceId", pdf_version AS version, pdf_request_id AS "requestId"`;

/**
 * Moves pending PDF renders from Postgres into the `pdf` queue. The invoice row is the record (a change asks
 * for a render in its own transaction), so a render is never lost to a Redis outage: it is handed over when
 * Redis is back, and again after PDF_REQUEUE_AFTER_S if its job vanished. Woken by every commit that wrote
 * events (each change a PDF shows writes one), and polling otherwise.
 */
@Injectable()
export class PdfDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(PdfDispatcher.name);
  private readonly runner = new CoalescingRunner(
    () => this.dispatch(),
    PDF_DISPATCH_POLL_MS,
    (error) => this.logger.warn(`PDF dispatch failed: ${error.message}`),
  );

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(PDF_QUEUE) private readonly queue: Queue,
    private readonly jobs: PdfJobs,
    private readonly notifications: EventNotifications,
  ) {}

  onApplicationBootstrap(): void {
    this.notifications.subscribe(() => this.kick());
    this.runner.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.runner.stop();
  }

  /** Dispatches now, or once more right after the run in progress. */
  kick(): void {
    this.runner.kick();
  }

  /** Hands pending renders to the queue; answers how many. */
  async dispatch(): Promise<number> {
    void this.notifications.listen();
    // Claiming with Redis away would stamp renders that then wait PDF_REQUEUE_AFTER_S for nothing.
    if (!(await queueReady(this.queue))) return 0;
    const [claimed]: [RenderJob[], number] = await this.dataSource.query(CLAIM, [BATCH, PDF_REQUEUE_AFTER_S]);
    await this.jobs.enqueueRenders(claimed);
    if (claimed.length === BATCH) this.kick();
    return claimed.length;
  }
}
