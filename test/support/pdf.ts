import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type TestAgent from 'supertest/lib/agent.js';
import type { Account } from './factories.js';
import { startIsolatedTestApp } from './private-database.js';
import { waitFor } from './processes.js';
import type { TestApp } from './test-app.js';

const run = promisify(execFile);

/**
 * An app that renders PDFs (its worker works the `pdf` queue), on a database and a redis-server of its own,
 * so its invoices are rendered by it alone and it renders nothing else. close() drops both.
 */
export function startPdfTestApp(label: string, overrides: NodeJS.ProcessEnv = {}): Promise<TestApp> {
  return startIsolatedTestApp(label, { WORKER_QUEUES: 'pdf', ...overrides });
}

/** A GET whose body is kept as bytes whatever its content type (supertest parses only text and JSON). */
export function getBytes(http: TestAgent, account: Account, path: string) {
  return http
    .get(path)
    .set('Authorization', account.bearer)
    .buffer(true)
    .parse((response, done) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => done(null, Buffer.concat(chunks)));
    });
}

/** GETs the invoice's PDF until it is rendered (202 until then); answers the 200 response. */
export async function fetchPdf(http: TestAgent, account: Account, invoiceId: string, timeoutMs = 30_000) {
  return waitFor(
    async () => {
      const response = await getBytes(http, account, `/v1/invoices/${invoiceId}/pdf`);
      if (response.status === 200) return response;
      if (response.status !== 202) {
        throw new Error(`GET pdf answered ${response.status}: ${JSON.stringify(response.body)}`);
      }
      return undefined;
    },
    timeoutMs,
    `the PDF of invoice ${invoiceId}`,
  );
}

/** Runs a poppler-utils tool (Debian's package) on the PDF, written to a temporary file. */
async function poppler(tool: string, args: string[], pdf: Buffer): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pdf-'));
  try {
    const file = join(dir, 'document.pdf');
    await writeFile(file, pdf);
    return (await run(tool, [...args, file, ...(tool === 'pdftotext' ? ['-'] : [])])).stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The text of a PDF as pdftotext extracts it, in reading order, pages split by a form feed. */
export function pdfText(pdf: Buffer, { layout = false } = {}): Promise<string> {
  return poppler('pdftotext', [...(layout ? ['-layout'] : []), '-enc', 'UTF-8'], pdf);
}

/** The number of pages, as pdfinfo counts them. */
export async function pdfPageCount(pdf: Buffer): Promise<number> {
  return Number(/^Pages:\s+(\d+)/m.exec(await poppler('pdfinfo', [], pdf))![1]);
}
