import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, Not } from 'typeorm';
import { InvoicePdf } from './invoice-pdf.entity.js';
import { PdfStore } from './pdf-store.js';

/** PDFs as bytea rows beside their invoices: shared by every process, backed up with the data they show. */
@Injectable()
export class PostgresPdfStore extends PdfStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  async put(invoiceId: string, sha256: string, content: Buffer): Promise<void> {
    await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(InvoicePdf)
      .values({ invoiceId, sha256, content })
      .orIgnore()
      .execute();
  }

  async get(invoiceId: string, sha256: string): Promise<Buffer | null> {
    const row = await this.dataSource.manager.findOne(InvoicePdf, {
      select: { content: true },
      where: { invoiceId, sha256 },
    });
    return row?.content ?? null;
  }

  async prune(invoiceId: string, keep: string): Promise<void> {
    await this.dataSource.manager.delete(InvoicePdf, { invoiceId, sha256: Not(keep) });
  }
}
