/**
 * Where rendered PDFs live, reachable from every api and worker process (never one machine's disk). Keys are
 * the invoice and the sha256 of the bytes, so a store can be content-addressed (Postgres here; an
 * S3-compatible bucket would use `invoices/<invoiceId>/<sha256>.pdf`).
 */
export abstract class PdfStore {
  /** Stores the bytes; storing the same bytes again is a no-op. */
  abstract put(invoiceId: string, sha256: string, content: Buffer): Promise<void>;

  abstract get(invoiceId: string, sha256: string): Promise<Buffer | null>;

  /** Deletes the invoice's PDFs other than `keep` (versions it no longer shows). */
  abstract prune(invoiceId: string, keep: string): Promise<void>;
}
