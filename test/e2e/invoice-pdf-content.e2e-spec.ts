import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type Account,
  actingAs,
  createCustomer,
  createInvoice,
  createPayment,
  finalizeInvoice,
  type InvoiceBody,
  lineItem,
  signUpOwner,
} from '../support/factories.js';
import { fetchPdf, getBytes, pdfPageCount, pdfText, startPdfTestApp } from '../support/pdf.js';
import { waitFor } from '../support/processes.js';
import type { TestApp } from '../support/test-app.js';

const run = promisify(execFile);

const SELLER_ADDRESS = {
  line1: '500 Market Street',
  line2: 'Suite 12',
  city: 'San Francisco',
  state: 'CA',
  postalCode: '94105',
  country: 'US',
};

/** Every page's size in PDF points, rounded, as pdfinfo reports it. */
async function pageSizes(pdf: Buffer): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'pdf-size-'));
  try {
    const file = join(dir, 'document.pdf');
    await writeFile(file, pdf);
    const { stdout } = await run('pdfinfo', ['-f', '1', '-l', '9999', file]);
    return [...stdout.matchAll(/^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts/gm)].map(
      ([, width, height]) => `${Math.round(Number(width))}x${Math.round(Number(height))}`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A layout-mode text line holding exactly these cells, left to right, separated by whitespace only. */
const row = (...cells: string[]) => new RegExp(`^\\s*${cells.map(escapeRegExp).join('\\s+')}\\s*$`, 'm');

/** A layout-mode text line holding these cells in order, whatever else shares the line (a block beside it). */
const cellsInLine = (...cells: string[]) => new RegExp(`^.*${cells.map(escapeRegExp).join('\\s+')}.*$`, 'm');

/** Intl puts a no-break space between an ISO code and the digits ("KWD 1.000"); pdftotext may print either. */
const plainSpaces = (text: string) => text.replace(/\u00a0/g, ' ');

/** The non-blank lines of a text, trimmed. */
const linesOf = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);

/**
 * Text without whitespace or hyphens, to find a string that the PDF wrapped over lines: pdftotext joins a word
 * broken after a hyphen and drops that hyphen ("css-⏎url" → "cssurl").
 */
const squeeze = (text: string) => text.replace(/[\s-]+/g, '');

describe('invoice PDF content', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startPdfTestApp('pdf_content');
  }, 60_000);
  afterAll(() => sut.close());

  const as = (account: Account) => actingAs(sut.http, account);

  async function seller(account: Account, profile: Record<string, unknown>) {
    await as(account).patch('/v1/organization', profile).expect(200);
  }

  async function issue(account: Account, fields: Record<string, unknown>): Promise<InvoiceBody> {
    const draft = await createInvoice(sut.http, account, fields);
    return finalizeInvoice(sut.http, account, draft.id);
  }

  /** The invoice's rendered PDF and both text extractions (reading order and layout). */
  async function rendered(account: Account, invoiceId: string) {
    const response = await fetchPdf(sut.http, account, invoiceId);
    expect(response.headers['content-type']).toBe('application/pdf');
    const pdf = response.body as Buffer;
    const [text, layout] = await Promise.all([pdfText(pdf), pdfText(pdf, { layout: true })]);
    return {
      pdf,
      etag: response.headers.etag as string,
      text: plainSpaces(text),
      layout: plainSpaces(layout),
    };
  }

  /** The PDF rendered after a change: GET until it answers a PDF with another ETag than `previousEtag`. */
  async function rerendered(account: Account, invoiceId: string, previousEtag: string) {
    const response = await waitFor(
      async () => {
        const answer = await getBytes(sut.http, account, `/v1/invoices/${invoiceId}/pdf`);
        if (answer.status !== 200 && answer.status !== 202) {
          throw new Error(`GET pdf answered ${answer.status}`);
        }
        return answer.status === 200 && answer.headers.etag !== previousEtag ? answer : undefined;
      },
      30_000,
      `a new PDF of invoice ${invoiceId}`,
    );
    const pdf = response.body as Buffer;
    const [text, layout] = await Promise.all([pdfText(pdf), pdfText(pdf, { layout: true })]);
    return {
      pdf,
      etag: response.headers.etag as string,
      text: plainSpaces(text),
      layout: plainSpaces(layout),
    };
  }

  describe('amounts, parties and dates', () => {
    it('prints an issued USD invoice: number, dates, both parties, every line, totals, notes and footer', async () => {
      const owner = await signUpOwner(sut.http, 'Northwind');
      await seller(owner, {
        name: 'Northwind Studio',
        legalName: 'Northwind Studio LLC',
        email: 'billing@northwind.test',
        taxId: 'US-EIN-12-3456789',
        address: SELLER_ADDRESS,
        invoiceNumberPrefix: 'NW-',
      });
      const customer = await createCustomer(sut.http, owner, {
        name: 'Globex Corporation',
        email: 'ap@globex.test',
        taxId: 'GB987654321',
        address: { line1: '1 Harbour Road', city: 'Bristol', postalCode: 'BS1 5TY', country: 'GB' },
      });

      const invoice = await issue(owner, {
        customerId: customer.id,
        currency: 'USD',
        issueDate: '2026-03-05',
        dueDate: '2026-04-04',
        lineItems: [
          // 1.5 × 1,200.00 = 1,800.00; 10 % off = 180.00; 20 % tax on 1,620.00 = 324.00
          {
            description: 'Website design',
            quantity: 1.5,
            unitAmount: 120_000,
            discountPercent: 10,
            taxRate: 20,
          },
          // 12 × 29.99 = 359.88, no discount, no tax
          { description: 'Hosting (monthly)', quantity: 12, unitAmount: 2999 },
          // 3 × 95.50 = 286.50; 8.25 % tax = 23.63625 → 23.64
          { description: 'Support hours', quantity: 3, unitAmount: 9550, taxRate: 8.25 },
        ],
        notes: 'Thank you for your business.\nPlease quote the invoice number.',
        footer: 'Northwind Studio LLC, registered in Delaware',
      });
      expect(invoice.number).toBe('NW-000001');
      const { text, layout } = await rendered(owner, invoice.id);

      expect(layout).toMatch(cellsInLine('Invoice number', 'NW-000001'));
      expect(layout).toMatch(cellsInLine('Issue date', '5 Mar 2026'));
      expect(layout).toMatch(cellsInLine('Due date', '4 Apr 2026'));
      expect(layout).toMatch(cellsInLine('Currency', 'USD'));
      const sellerBlock = text.slice(0, text.indexOf('BILL TO'));
      const buyerBlock = text.slice(text.indexOf('BILL TO'), text.indexOf('DESCRIPTION'));
      expect(linesOf(sellerBlock)).toEqual(
        expect.arrayContaining([
          'Northwind Studio',
          'Northwind Studio LLC',
          '500 Market Street',
          'Suite 12',
          '94105 San Francisco',
          'CA',
          'US',
          'billing@northwind.test',
          'Tax ID: US-EIN-12-3456789',
        ]),
      );
      expect(linesOf(buyerBlock)).toEqual([
        'BILL TO',
        'Globex Corporation',
        '1 Harbour Road',
        'BS1 5TY Bristol',
        'GB',
        'ap@globex.test',
        'Tax ID: GB987654321',
      ]);
      expect(sellerBlock).not.toContain('Globex');
      expect(layout).toMatch(row('DESCRIPTION', 'QTY', 'UNIT PRICE', 'DISCOUNT', 'TAX', 'AMOUNT'));
      expect(layout).toMatch(row('Website design', '1.5', '$1,200.00', '10%', '20%', '$1,800.00'));
      expect(layout).toMatch(row('Hosting (monthly)', '12', '$29.99', '—', '—', '$359.88'));
      expect(layout).toMatch(row('Support hours', '3', '$95.50', '—', '8.25%', '$286.50'));
      expect(layout).toMatch(row('Subtotal', '$2,446.38'));
      expect(layout).toMatch(row('Discount', '-$180.00'));
      expect(layout).toMatch(row('Tax', '$347.64'));
      expect(layout).toMatch(row('Total', '$2,614.02'));
      expect(layout).toMatch(row('Amount paid', '$0.00'));
      expect(layout).toMatch(row('Amount due', '$2,614.02'));
      expect(text).toContain('Thank you for your business.\nPlease quote the invoice number.');
      expect(text).toContain('Northwind Studio LLC, registered in Delaware');
      expect(text).toMatch(/NW-000001 · Page 1 of 1/);
    });

    interface CurrencyCase {
      currency: string;
      lineItems: object[];
      /** Each line as printed: description, quantity, unit price, discount, tax, amount. */
      lines: string[][];
      subtotal: string;
      discount: string;
      tax: string;
      total: string;
      /** The invoice's total in minor units, as the API must compute it. */
      totalMinor: number;
      zero: string;
      payment: number;
      paid: string;
      due: string;
    }

    const CURRENCIES: CurrencyCase[] = [
      {
        currency: 'EUR',
        lineItems: [
          // 2.5 × 80.00 = 200.00; 5 % off = 10.00; 19 % of 190.00 = 36.10
          { description: 'Beratung', quantity: 2.5, unitAmount: 8000, discountPercent: 5, taxRate: 19 },
          { description: 'Reisekosten', quantity: 1, unitAmount: 12_345 },
        ],
        lines: [
          ['Beratung', '2.5', '€80.00', '5%', '19%', '€200.00'],
          ['Reisekosten', '1', '€123.45', '—', '—', '€123.45'],
        ],
        subtotal: '€323.45',
        discount: '-€10.00',
        tax: '€36.10',
        total: '€349.55',
        totalMinor: 34_955,
        zero: '€0.00',
        payment: 10_000,
        paid: '€100.00',
        due: '€249.55',
      },
      {
        currency: 'JPY',
        lineItems: [
          // 3 × 41,667 = 125,001; 10 % tax = 12,500.1 → 12,500
          { description: 'Translation', quantity: 3, unitAmount: 41_667, taxRate: 10 },
          // 4 × 1,235 = 4,940; 12.5 % off = 617.5 → 618 (half-up)
          { description: 'Rush fee', quantity: 4, unitAmount: 1235, discountPercent: 12.5 },
        ],
        lines: [
          ['Translation', '3', '¥41,667', '—', '10%', '¥125,001'],
          ['Rush fee', '4', '¥1,235', '12.5%', '—', '¥4,940'],
        ],
        subtotal: '¥129,941',
        discount: '-¥618',
        tax: '¥12,500',
        total: '¥141,823',
        totalMinor: 141_823,
        zero: '¥0',
        payment: 41_823,
        paid: '¥41,823',
        due: '¥100,000',
      },
      {
        // Intl en-US on Node 20 prints a 3-decimal currency by its code: "KWD 1,234.568", "-KWD 1,234.568".
        currency: 'KWD',
        lineItems: [
          // 2 × 12.345 = 24.690; 5 % tax = 1.2345 → 1.235 (half-up)
          { description: 'Consulting', quantity: 2, unitAmount: 12_345, taxRate: 5 },
          // 1 × 1,000.500; 2.5 % off = 25.0125 → 25.013 (half-up)
          { description: 'Licence', quantity: 1, unitAmount: 1_000_500, discountPercent: 2.5 },
        ],
        lines: [
          ['Consulting', '2', 'KWD 12.345', '—', '5%', 'KWD 24.690'],
          ['Licence', '1', 'KWD 1,000.500', '2.5%', '—', 'KWD 1,000.500'],
        ],
        subtotal: 'KWD 1,025.190',
        discount: '-KWD 25.013',
        tax: 'KWD 1.235',
        total: 'KWD 1,001.412',
        totalMinor: 1_001_412,
        zero: 'KWD 0.000',
        payment: 500_000,
        paid: 'KWD 500.000',
        due: 'KWD 501.412',
      },
    ];

    it.each(CURRENCIES)(
      'prints a $currency invoice in its minor units, and prints it again after a partial payment',
      async (sample) => {
        const owner = await signUpOwner(sut.http, `Seller ${sample.currency}`);
        await seller(owner, { name: `Seller ${sample.currency}`, address: SELLER_ADDRESS });
        const customer = await createCustomer(sut.http, owner, {
          name: `Buyer ${sample.currency}`,
          currency: sample.currency,
          address: { line1: 'Hauptstraße 5', city: 'Berlin', postalCode: '10115', country: 'DE' },
        });
        const invoice = await issue(owner, {
          customerId: customer.id,
          currency: sample.currency,
          issueDate: '2026-01-31',
          dueDate: '2026-02-28',
          lineItems: sample.lineItems,
          notes: `Pay in ${sample.currency}`,
          footer: `Footer ${sample.currency}`,
        });
        expect(invoice.total).toBe(sample.totalMinor);

        const before = await rendered(owner, invoice.id);
        expect(before.layout).toMatch(cellsInLine('Invoice number', 'INV-000001'));
        expect(before.layout).toMatch(cellsInLine('Issue date', '31 Jan 2026'));
        expect(before.layout).toMatch(cellsInLine('Due date', '28 Feb 2026'));
        expect(before.layout).toMatch(cellsInLine('Currency', sample.currency));
        expect(linesOf(before.text)).toEqual(
          expect.arrayContaining([`Seller ${sample.currency}`, `Buyer ${sample.currency}`, 'Hauptstraße 5']),
        );
        for (const line of sample.lines) expect(before.layout).toMatch(row(...line));
        expect(before.layout).toMatch(row('Subtotal', sample.subtotal));
        expect(before.layout).toMatch(row('Discount', sample.discount));
        expect(before.layout).toMatch(row('Tax', sample.tax));
        expect(before.layout).toMatch(row('Total', sample.total));
        expect(before.layout).toMatch(row('Amount paid', sample.zero));
        expect(before.layout).toMatch(row('Amount due', sample.total));
        expect(linesOf(before.text)).toEqual(
          expect.arrayContaining([`Pay in ${sample.currency}`, `Footer ${sample.currency}`]),
        );

        await createPayment(sut.http, owner, invoice.id, sample.payment);
        const after = await rerendered(owner, invoice.id, before.etag);

        expect(after.layout).toMatch(row('Total', sample.total));
        expect(after.layout).toMatch(row('Amount paid', sample.paid));
        expect(after.layout).toMatch(row('Amount due', sample.due));
        for (const line of sample.lines) expect(after.layout).toMatch(row(...line));
        expect(after.text).not.toMatch(/\b(PAID|VOID|DRAFT)\b/);
      },
    );
  });

  describe('marks', () => {
    /** The marks the text shows, each once, whatever number of times it is printed (a stamp, a status line). */
    const marks = (text: string) => [...new Set(text.match(/\b(PAID|VOID|DRAFT)\b/g))];

    it('prints no mark on an open invoice, DRAFT on a preview (without a number), PAID on one issued with nothing due', async () => {
      const owner = await signUpOwner(sut.http, 'Marks');
      const [open, free] = await Promise.all([
        issue(owner, {}),
        issue(owner, { lineItems: [lineItem({ discountPercent: 100 })] }),
      ]);
      // Two numbers were issued in this organization already: the draft must show neither.
      const draft = await createInvoice(sut.http, owner, { daysUntilDue: 14 });
      expect(free.status).toBe('paid');
      const [openPdf, freePdf, draftPdf] = await Promise.all(
        [open, free, draft].map((invoice) => rendered(owner, invoice.id)),
      );

      expect({ open: marks(openPdf.text), free: marks(freePdf.text), draft: marks(draftPdf.text) }).toEqual({
        open: [],
        free: ['PAID'],
        draft: ['DRAFT'],
      });
      expect(openPdf.layout).toMatch(cellsInLine('Invoice number', open.number!));
      expect(openPdf.layout).toMatch(row('Amount due', '$100.00'));
      // The rotated stamp's letters may land on any layout line: totals are matched within their line.
      expect(freePdf.layout).toMatch(cellsInLine('Invoice number', free.number!));
      expect(freePdf.layout).toMatch(cellsInLine('Discount', '-$100.00'));
      expect(freePdf.layout).toMatch(cellsInLine('Total', '$0.00'));
      expect(freePdf.layout).toMatch(cellsInLine('Amount due', '$0.00'));
      expect(draftPdf.text).not.toMatch(/INV-\d/);
      expect(draftPdf.layout).toMatch(cellsInLine('Invoice number', 'Draft'));
      expect(draftPdf.layout).toMatch(cellsInLine('Issue date', 'Not issued'));
      expect(draftPdf.layout).toMatch(cellsInLine('Due date', 'Net 14 days'));
      expect(draftPdf.text).toMatch(/Draft · Page 1 of 1/);
    });

    it('prints an issued PDF again marked PAID once paid in full, VOID once voided', async () => {
      const owner = await signUpOwner(sut.http, 'Later marks');
      const [toPay, toVoid] = await Promise.all([issue(owner, {}), issue(owner, {})]);
      const [issuedToPay, issuedToVoid] = await Promise.all([
        rendered(owner, toPay.id),
        rendered(owner, toVoid.id),
      ]);
      expect([marks(issuedToPay.text), marks(issuedToVoid.text)]).toEqual([[], []]);

      await Promise.all([
        createPayment(sut.http, owner, toPay.id, toPay.amountDue),
        as(owner).post(`/v1/invoices/${toVoid.id}/void`).expect(200),
      ]);
      const [paid, voided] = await Promise.all([
        rerendered(owner, toPay.id, issuedToPay.etag),
        rerendered(owner, toVoid.id, issuedToVoid.etag),
      ]);

      expect({ paid: marks(paid.text), voided: marks(voided.text) }).toEqual({
        paid: ['PAID'],
        voided: ['VOID'],
      });
      expect(paid.layout).toMatch(cellsInLine('Amount paid', '$100.00'));
      expect(paid.layout).toMatch(cellsInLine('Amount due', '$0.00'));
      expect(voided.layout).toMatch(cellsInLine('Invoice number', toVoid.number!));
    });
  });

  describe('page size', () => {
    it("prints on the organization's page size: Letter 612x792 pt, A4 595x842 pt, issued and draft alike", async () => {
      const sizesFor = async (pdfPageSize: string) => {
        const owner = await signUpOwner(sut.http, `Paper ${pdfPageSize}`);
        await seller(owner, { pdfPageSize });
        const [issued, draft] = await Promise.all([issue(owner, {}), createInvoice(sut.http, owner, {})]);
        const pdfs = await Promise.all([rendered(owner, issued.id), rendered(owner, draft.id)]);
        return Promise.all(pdfs.map(({ pdf }) => pageSizes(pdf)));
      };
      const [letter, a4] = await Promise.all([sizesFor('Letter'), sizesFor('A4')]);
      expect({ letter, a4 }).toEqual({ letter: [['612x792'], ['612x792']], a4: [['595x842'], ['595x842']] });
    });
  });

  describe('long invoices', () => {
    it('spreads 200 lines over numbered pages, each line once and in order, the header on every page', async () => {
      const owner = await signUpOwner(sut.http, 'Long');
      await seller(owner, { pdfPageSize: 'Letter', invoiceNumberPrefix: 'LONG/' });
      const descriptions = Array.from({ length: 200 }, (_, i) => `Line ${String(i + 1).padStart(3, '0')}`);
      const invoice = await issue(owner, {
        currency: 'USD',
        lineItems: descriptions.map((description) => lineItem({ description, quantity: 1, unitAmount: 100 })),
        notes: 'End of the long invoice',
      });
      const { pdf, text, layout } = await rendered(owner, invoice.id);

      const pageCount = await pdfPageCount(pdf);
      expect(pageCount).toBeGreaterThan(1);
      expect(await pageSizes(pdf)).toEqual(Array(pageCount).fill('612x792'));
      expect(text.match(/Line \d{3}/g)).toEqual(descriptions);
      for (const description of descriptions) {
        expect(layout).toMatch(row(description, '1', '$1.00', '—', '—', '$1.00'));
      }
      const pages = text.split('\f').slice(0, pageCount);
      expect(pages.map((page) => /^DESCRIPTION$/m.test(page))).toEqual(Array(pageCount).fill(true));
      expect(pages.map((page) => /LONG\/000001 · Page (\d+) of (\d+)/.exec(page)?.slice(1))).toEqual(
        Array.from({ length: pageCount }, (_, i) => [String(i + 1), String(pageCount)]),
      );
      expect(layout).toMatch(row('Total', '$200.00'));
      expect(text).toContain('End of the long invoice');
    });
  });

  describe('hostile text', () => {
    /** A listener on loopback that records every connection and request made to it. */
    async function tripwire() {
      const requests: string[] = [];
      let connections = 0;
      const server = http.createServer((request, response) => {
        requests.push(`${request.method} ${request.url}`);
        response.end('caught');
      });
      server.on('connection', () => connections++);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      return {
        port,
        seen: () => ({ connections, requests: [...requests] }),
        close: () =>
          new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
          }),
      };
    }

    it('prints markup, remote and file references as text and fetches nothing, in the preview and the issued PDF', async () => {
      const listener = await tripwire();
      try {
        const base = `http://127.0.0.1:${listener.port}`;
        // The listener answers: a request that got through would be seen.
        expect((await fetch(`${base}/control`)).status).toBe(200);
        expect(listener.seen()).toEqual({ connections: 1, requests: ['GET /control'] });

        const payload = {
          script: `<script>fetch('${base}/script')</script>`,
          img: `<img src="${base}/img">`,
          iframe: `<iframe src="${base}/frame"></iframe>`,
          link: `<link rel="stylesheet" href="${base}/css">`,
          file: '<img src="file:///etc/passwd">',
          meta: `<meta http-equiv="refresh" content="0;url=${base}/meta">`,
          template: '{{constructor.constructor}}',
          cssUrl: `<p style="background-image:url(${base}/css-url)">css</p>`,
          cssImport: `<style>@import url(${base}/import);</style>`,
          object: `<object data="${base}/object"></object>`,
          breakout: `</td></tr></table><img src="${base}/breakout">`,
        };
        const owner = await signUpOwner(sut.http, 'Hostile');
        await seller(owner, {
          name: payload.iframe,
          legalName: payload.link,
          taxId: payload.template,
          address: { line1: payload.meta, line2: payload.cssUrl, city: payload.template, country: 'US' },
          invoiceNumberPrefix: 'H/',
        });
        const customer = await createCustomer(sut.http, owner, {
          name: payload.script,
          address: { line1: payload.img, line2: payload.cssImport, city: payload.file, country: 'FR' },
        });
        const all = Object.values(payload);
        const draft = await createInvoice(sut.http, owner, {
          customerId: customer.id,
          currency: 'USD',
          lineItems: all.map((description) => lineItem({ description, quantity: 1, unitAmount: 100 })),
          notes: all.join('\n'),
          footer: all.join(' '),
        });
        // Each payload is a line, a line of the notes and a part of the footer; some also fill a party field.
        const expected: Record<keyof typeof payload, number> = {
          script: 3 + 1,
          img: 3 + 1,
          iframe: 3 + 1,
          link: 3 + 1,
          file: 3 + 1,
          meta: 3 + 1,
          template: 3 + 2,
          cssUrl: 3 + 1,
          cssImport: 3 + 1,
          object: 3,
          breakout: 3,
        };
        const occurrences = (text: string) =>
          Object.fromEntries(
            Object.entries(payload).map(([name, value]) => [
              name,
              squeeze(text).split(squeeze(value)).length - 1,
            ]),
          );
        const passwd = (await readFile('/etc/passwd', 'utf8')).split('\n')[0];
        expect(passwd).toMatch(/^root:/);

        const preview = await rendered(owner, draft.id);
        expect(occurrences(preview.text)).toEqual(expected);
        expect(preview.text).toMatch(/\bDRAFT\b/);
        expect(preview.text).toContain('$11.00');

        const issued = await finalizeInvoice(sut.http, owner, draft.id);
        expect(issued.number).toBe('H/000001');
        const final = await rendered(owner, issued.id);
        expect(occurrences(final.text)).toEqual(expected);
        expect(final.text).toContain('H/000001 · Page 1 of');
        expect(final.text).toContain('$11.00');

        for (const text of [preview.text, final.text]) {
          expect(text).not.toContain(passwd);
          expect(text).not.toContain('root:x:0:0');
          expect(text).not.toContain('caught');
        }
        // A late request (a refresh, a lazy load) would arrive within moments of the print.
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect(listener.seen()).toEqual({ connections: 1, requests: ['GET /control'] });
      } finally {
        await listener.close();
      }
    });
  });
});
