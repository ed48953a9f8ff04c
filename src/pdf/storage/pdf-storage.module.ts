import { Module } from '@nestjs/common';
import { PdfStore } from './pdf-store.js';
import { PostgresPdfStore } from './postgres-pdf-store.js';

@Module({
  providers: [{ provide: PdfStore, useClass: PostgresPdfStore }],
  exports: [PdfStore],
})
export class PdfStorageModule {}
