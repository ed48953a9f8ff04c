import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { PDF_QUEUE, PdfJobs } from './pdf-jobs.js';

/** The `pdf` queue, registered once for the api (previews) and the worker (renders). */
@Module({
  imports: [
    // Preview bytes ride in the completed events: a short events stream bounds what Redis keeps of them.
    BullModule.registerQueue({ name: PDF_QUEUE, streams: { events: { maxLen: 200 } } }),
  ],
  providers: [PdfJobs],
  exports: [PdfJobs, BullModule],
})
export class PdfQueueModule {}
