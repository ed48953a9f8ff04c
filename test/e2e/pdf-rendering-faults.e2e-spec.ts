import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PdfRenderer, PRINTS_BETWEEN_GCS } from '../../src/pdf/rendering/pdf-renderer.js';
import { testConfig } from '../support/environment.js';
import {
  actingAs,
  eventsAbout,
  expectProblem,
  getInvoice,
  openInvoice,
  signUpOwner,
} from '../support/factories.js';
import { fetchPdf, pdfText } from '../support/pdf.js';
import { createPrivateDatabase, type PrivateDatabase, startAppOn } from '../support/private-database.js';
import {
  type Child,
  chromiumChildrenOf,
  freePort,
  processTree,
  startRedisServer,
  waitFor,
} from '../support/processes.js';
import type { TestApp } from '../support/test-app.js';

const printJob = (text: string) => ({
  html: `<!doctype html><html><head><meta charset="utf-8"></head><body><p>${text}</p></body></html>`,
  pageSize: 'A4' as const,
  footerTemplate: '<span></span>',
});

/** The pids of the Chromium processes this test process launched. */
const chromiumChildren = () => chromiumChildrenOf(process.pid);

/** The processes under a browser, each named by its --type (and a utility's sub-type): 'renderer', 'gpu-process'… */
function chromiumProcessesUnder(browserPid: number): { pid: number; type: string }[] {
  return processTree(browserPid)
    .slice(1)
    .flatMap((pid) => {
      try {
        // Chromium rewrites some processes' command lines with spaces between the arguments.
        const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/);
        const type = args.find((arg) => arg.startsWith('--type='))?.slice('--type='.length) ?? 'other';
        const subType = args.find((arg) => arg.startsWith('--utility-sub-type='))?.split('=')[1];
        return [{ pid, type: subType ? `${type}:${subType}` : type }];
      } catch {
        return []; // Gone meanwhile.
      }
    });
}

describe('PDF rendering under faults', () => {
  describe('the renderer', () => {
    let renderer: PdfRenderer;

    beforeAll(() => {
      renderer = new PdfRenderer(testConfig());
    });

    afterAll(async () => {
      await renderer.onApplicationShutdown();
    });

    it('renders again after its browser was killed between renders', async () => {
      expect(await pdfText(await renderer.render(printJob('Before the kill')))).toContain('Before the kill');
      const [browserPid] = await chromiumChildren();
      expect(browserPid).toBeDefined();

      process.kill(browserPid, 'SIGKILL');
      await waitFor(
        async () => !(await chromiumChildren()).includes(browserPid),
        10_000,
        'the browser to die',
      );

      expect(await pdfText(await renderer.render(printJob('After the kill')))).toContain('After the kill');
      expect(await chromiumChildren()).not.toContain(browserPid);
    });

    it('renders concurrently on reused pages, and no page shows the previous document', async () => {
      const texts = ['Alpha-document', 'Bravo-document', 'Charlie-document', 'Delta-document'];
      const first = await Promise.all(texts.map((text) => renderer.render(printJob(text))));
      const second = await Promise.all(texts.map((text) => renderer.render(printJob(`${text}-again`))));

      for (const [index, pdf] of [...first, ...second].entries()) {
        const text = await pdfText(pdf);
        const own = index < texts.length ? texts[index] : `${texts[index - texts.length]}-again`;
        expect(text.trim()).toBe(own);
      }
    });

    it('keeps one renderer per page and no GPU or network process, through the full GCs it asks its renderers for', async () => {
      const before = await chromiumChildren();
      const lean = new PdfRenderer(testConfig());
      try {
        const printBoth = (text: string) =>
          Promise.all([lean.render(printJob(`${text}-left`)), lean.render(printJob(`${text}-right`))]);
        await printBoth('First');
        const [browserPid] = (await chromiumChildren()).filter((pid) => !before.includes(pid));
        const renderers = () =>
          chromiumProcessesUnder(browserPid)
            .filter((process) => process.type === 'renderer')
            .map((process) => process.pid)
            .sort();
        const pageRenderers = renderers();
        const types = chromiumProcessesUnder(browserPid).map((process) => process.type);

        expect(pageRenderers).toHaveLength(2);
        expect(types).not.toContain('gpu-process');
        expect(types.filter((type) => type.includes('network'))).toEqual([]);

        // Each page prints past its renderer's GC: the pages (and their renderers) are kept, not replaced.
        let last: Buffer[] = [];
        for (let print = 1; print <= PRINTS_BETWEEN_GCS; print++) last = await printBoth(`Print-${print}`);
        expect(renderers()).toEqual(pageRenderers);
        expect((await pdfText(last[1])).trim()).toBe(`Print-${PRINTS_BETWEEN_GCS}-right`);
      } finally {
        await lean.onApplicationShutdown();
      }
    });

    it('fails with a clear error when Chromium cannot start', async () => {
      const broken = new PdfRenderer(testConfig({ CHROMIUM_PATH: '/nonexistent/chromium' }));
      await expect(broken.render(printJob('never'))).rejects.toThrow(/nonexistent\/chromium/);
      await broken.onApplicationShutdown();
    });
  });

  // A private database and Redis: the shared ones are served by other suites' workers, whose browsers work.
  describe('a render that fails for good', () => {
    let database: PrivateDatabase;
    let redis: Child;
    let redisUrl: string;
    let sut: TestApp | undefined;

    beforeAll(async () => {
      const port = await freePort();
      redis = await startRedisServer(port);
      redisUrl = `redis://127.0.0.1:${port}`;
      database = await createPrivateDatabase('pdf_failure');
    }, 60_000);

    afterAll(async () => {
      await sut?.close();
      await redis?.stop();
      await database?.drop();
    }, 30_000);

    it('marks the PDF failed with invoice.pdf_failed, answers 409, and renders once asked again on a working worker', async () => {
      sut = await startAppOn(database, {
        REDIS_URL: redisUrl,
        WORKER_QUEUES: 'pdf',
        CHROMIUM_PATH: '/nonexistent/chromium',
      });
      const owner = await signUpOwner(sut.http);
      const { id } = await openInvoice(sut.http, owner);

      // Three attempts, 2 s then 4 s apart.
      const failed = await waitFor(
        async () => {
          const invoice = await getInvoice(sut!.http, owner, id);
          return invoice.pdf?.status === 'failed' && invoice;
        },
        30_000,
        'the PDF to fail',
        200,
      );
      expect(failed.pdf).toEqual({
        status: 'failed',
        sha256: null,
        generatedAt: null,
        url: `/v1/invoices/${id}/pdf`,
      });
      const failures = (await eventsAbout(sut.db, id)).filter((event) => event.type === 'invoice.pdf_failed');
      expect(failures).toEqual([
        expect.objectContaining({ data: expect.objectContaining({ pdf: failed.pdf }) }),
      ]);
      expectProblem(await actingAs(sut.http, owner).get(`/v1/invoices/${id}/pdf`), 409, 'invoice_pdf_failed');

      await sut.close();
      sut = await startAppOn(database, { REDIS_URL: redisUrl, WORKER_QUEUES: 'pdf' });
      await actingAs(sut.http, owner).post(`/v1/invoices/${id}/pdf/render`).expect(202);

      const pdf = await fetchPdf(sut.http, owner, id);
      expect(await pdfText(pdf.body as Buffer)).toContain('INV-000001');
    }, 60_000);
  });
});
