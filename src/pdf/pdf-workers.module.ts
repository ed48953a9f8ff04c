import { Module } from '@nestjs/common';
import { EventNotificationsModule } from '../events/event-notifications.module.js';
import { InvoicesCoreModule } from '../invoices/invoices-core.module.js';
import { InvoicePdfs } from './invoice-pdfs.js';
import { PdfDispatcher } from './queue/pdf-dispatcher.js';
import { PdfQueueModule } from './queue/pdf-queue.module.js';
import { BrowserReadiness } from './rendering/browser-readiness.js';
import { PdfRenderProcessor } from './rendering/pdf-render.processor.js';
import { PdfRenderer } from './rendering/pdf-renderer.js';
import { PdfStorageModule } from './storage/pdf-storage.module.js';

/** The worker side of PDFs: the dispatcher, the render processor and its browser; no routes. */
@Module({
  imports: [PdfQueueModule, PdfStorageModule, InvoicesCoreModule, EventNotificationsModule],
  providers: [PdfRenderer, PdfDispatcher, PdfRenderProcessor, InvoicePdfs, BrowserReadiness],
  exports: [PdfRenderer],
})
export class PdfWorkersModule {}
