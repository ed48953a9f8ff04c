import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Browser, Page, PDFOptions } from 'puppeteer-core';
import { withTimeout } from '../../common/with-timeout.js';
import { AppConfig } from '../../config/app-config.js';
import type { PrintJob } from '../document/invoice-document.js';

/** Longest one render (load the HTML, print it) may take; past it the page is thrown away. */
export const RENDER_TIMEOUT_MS = 20_000;

// Headless, and quiet: a closed network refuses Chromium's background connections (updates, sync, metrics).
// And lean: our pages run no script and fetch nothing, so what a browser keeps ready for a desktop user goes
// (about 90 MB of a worker's PSS, and a little CPU per PDF: README, Performance).
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  // No GPU to isolate: its process's work (software compositing) runs in the browser process.
  '--in-process-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
  // The location bar's popup is a WebUI page preloaded in a renderer of its own, in a window nobody sees; the
  // spare renderer waits for a next tab, and pages here are opened once and reused.
  '--disable-features=WebUIOmniboxPopup,WebUIOmniboxFullPopup,WebUIOmniboxAimPopup,SpareRendererForSitePerProcess',
  // Every request is refused: the network service needs no process of its own.
  '--enable-features=NetworkServiceInProcess2',
];

const BLANK_DOCUMENT = '<!doctype html><title></title>';

/**
 * With scripts off nothing prompts a renderer's heap into a full GC: the garbage of each print (its document,
 * layout and paint data) piled up to ~90 MB of a renderer's own memory before one came. Asked for one every
 * 25 prints, a renderer keeps about 45 MB, for no CPU per PDF we could measure.
 */
export const PRINTS_BETWEEN_GCS = 25;

export class RenderTimeoutError extends Error {}

/** page.pdf() options: the page size and margins come from the document's CSS @page, the footer numbers pages. */
export const pdfOptions = (job: PrintJob): PDFOptions => ({
  format: job.pageSize,
  printBackground: true,
  preferCSSPageSize: true,
  displayHeaderFooter: true,
  headerTemplate: '<span></span>',
  footerTemplate: job.footerTemplate,
  timeout: RENDER_TIMEOUT_MS,
});

/**
 * Prints HTML to PDF with one Chromium per process, launched on first use and relaunched after a crash.
 * Pages are kept warm and reused (opening one costs more than printing on it) and each is locked down
 * once: no JavaScript, every request refused, so the document can only show its own escaped text.
 * Between jobs a page is emptied before it is reused, so nothing of one invoice reaches the next.
 */
@Injectable()
export class PdfRenderer implements OnApplicationShutdown {
  private readonly logger = new Logger(PdfRenderer.name);
  private browser: Promise<Browser> | null = null;
  /** Warm pages for the next jobs, each ready once emptied of its last document (null if that failed). */
  private readonly idle: Promise<Page | null>[] = [];
  /** Prints each page has made since its renderer's last full GC. */
  private readonly printsSinceGc = new WeakMap<Page, number>();
  private closing = false;

  constructor(private readonly config: AppConfig) {}

  async render(job: PrintJob): Promise<Buffer> {
    // A job still waiting for a page when a forced stop closed the browser must not launch another one.
    if (this.closing) throw new Error('The PDF renderer is shutting down');
    const browser = await this.currentBrowser();
    try {
      return await this.renderOn(browser, job);
    } catch (error) {
      // The browser died under this render (killed, crashed): once more on a fresh one.
      if (this.closing || browser.connected) throw error;
      this.logger.warn(`Browser lost during a render (${(error as Error).message}); relaunching`);
      return this.renderOn(await this.currentBrowser(), job);
    }
  }

  /** The browser's version, launching it if needed: what the worker's readiness check asks. */
  async version(): Promise<string> {
    return (await this.currentBrowser()).version();
  }

  // After the PDF worker closed (beforeApplicationShutdown), so renders in flight finish first.
  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    const browser = await this.browser?.catch(() => null);
    this.browser = null;
    this.idle.length = 0;
    await browser?.close().catch(() => undefined);
  }

  private async renderOn(browser: Browser, job: PrintJob): Promise<Buffer> {
    const page = await this.acquire(browser);
    try {
      const pdf = await withTimeout(
        this.print(page, job),
        RENDER_TIMEOUT_MS,
        () => new RenderTimeoutError(`Render took longer than ${RENDER_TIMEOUT_MS} ms`),
      );
      // The bytes go back now; the page blanks itself before the next job can take it.
      this.idle.push(this.reset(page));
      return pdf;
    } catch (error) {
      // A page that failed or timed out may be stuck: closed, not reused.
      void page.close().catch(() => undefined);
      throw error;
    }
  }

  private async print(page: Page, job: PrintJob): Promise<Buffer> {
    await page.setContent(job.html, { waitUntil: 'load', timeout: RENDER_TIMEOUT_MS });
    return Buffer.from(await page.pdf(pdfOptions(job)));
  }

  private async acquire(browser: Browser): Promise<Page> {
    for (let next = this.idle.shift(); next; next = this.idle.shift()) {
      const page = await next;
      if (page && !page.isClosed() && page.browser() === browser) return page;
    }
    return this.openPage(browser);
  }

  /** Empties the page of the last document; a page that cannot be emptied is closed (null). */
  private async reset(page: Page): Promise<Page | null> {
    try {
      await page.setContent(BLANK_DOCUMENT, { timeout: 5_000 });
      await this.collectGarbageNowAndThen(page);
      return page;
    } catch {
      await page.close().catch(() => undefined);
      return null;
    }
  }

  /** A full GC in the page's renderer once every PRINTS_BETWEEN_GCS of its prints. */
  private async collectGarbageNowAndThen(page: Page): Promise<void> {
    const prints = (this.printsSinceGc.get(page) ?? 0) + 1;
    this.printsSinceGc.set(page, prints % PRINTS_BETWEEN_GCS);
    if (prints < PRINTS_BETWEEN_GCS) return;
    const session = await page.createCDPSession();
    try {
      await session.send('HeapProfiler.collectGarbage');
    } finally {
      await session.detach();
    }
  }

  private async openPage(browser: Browser): Promise<Page> {
    const page = await browser.newPage();
    await page.setJavaScriptEnabled(false);
    await page.setRequestInterception(true);
    // The HTML arrives with setContent: any request at all (an image, frame, font, stylesheet, link) is refused.
    page.on('request', (request) => void request.abort('blockedbyclient'));
    return page;
  }

  /** The running browser; launches one when there is none or the last one died (killed, crashed). */
  private async currentBrowser(): Promise<Browser> {
    for (;;) {
      const pending = (this.browser ??= this.launch());
      const browser = await pending.catch((error: unknown) => {
        // Do not keep a failed launch: the next render tries again.
        if (this.browser === pending) this.browser = null;
        throw error;
      });
      if (browser.connected) return browser;
      if (this.browser === pending) this.browser = null;
    }
  }

  private async launch(): Promise<Browser> {
    // Loaded with the first browser: a process that never prints (the api role) never holds Puppeteer.
    const { default: puppeteer } = await import('puppeteer-core');
    const browser = await puppeteer.launch({
      executablePath: this.config.chromiumPath,
      headless: true,
      // A copy: Puppeteer takes the --disable/--enable-features flags out of the array it is given, so a
      // relaunch (after a crash) with the same array would start a browser without them.
      args: [...CHROMIUM_ARGS],
      // Over a pipe, Chromium exits when this process dies, even by SIGKILL; over a websocket it lived on.
      pipe: true,
    });
    // The tab Chromium opens at start would hold a renderer for nothing: pages are opened as jobs need them.
    for (const page of await browser.pages()) await page.close();
    browser.on('disconnected', () => {
      if (!this.closing) this.logger.warn('Browser disconnected; the next render launches a new one');
    });
    return browser;
  }
}
