import { Module } from '@nestjs/common';
import { InvoicePdfController } from './invoice-pdf.controller.js';
import { InvoicePdfService } from './invoice-pdf.service.js';
import { PdfQueueModule } from './queue/pdf-queue.module.js';
import { PdfStorageModule } from './storage/pdf-storage.module.js';

/** The api side of PDFs: serving stored ones, asking workers for previews and renders. */
@Module({
  imports: [PdfQueueModule, PdfStorageModule],
  controllers: [InvoicePdfController],
  providers: [InvoicePdfService],
})
export class PdfModule {}
