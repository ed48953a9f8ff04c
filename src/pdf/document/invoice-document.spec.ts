import { describe, expect, it } from '@jest/globals';
import type { InvoiceLine } from '../../invoices/invoice-line.entity.js';
import type { CustomerSnapshot, Invoice, SellerSnapshot } from '../../invoices/invoice.entity.js';
import { invoiceHtmlTemplate } from './invoice-template.js';
import {
  formatDate,
  formatPercent,
  formatQuantity,
  type InvoiceDocumentInput,
  invoicePrintJob,
  invoiceView,
} from './invoice-document.js';

const HOSTILE = [
  '<script>alert(1)</script>',
  '<img src="file:///etc/passwd">',
  '<iframe src="http://127.0.0.1:9/">',
  '{{constructor}}',
].join(' ');

function line(position: number, overrides: Partial<InvoiceLine> = {}): InvoiceLine {
  return {
    position,
    description: `Line ${position}`,
    quantity: 1,
    unitAmount: 10_000,
    discountPercent: 0,
    taxRate: 0,
    amount: 10_000,
    discountAmount: 0,
    taxAmount: 0,
    ...overrides,
  } as InvoiceLine;
}

function invoice(overrides: Partial<Invoice> = {}): Invoice {
  return {
    id: 'inv_1',
    number: 'INV-0042',
    status: 'open',
    currency: 'USD',
    issueDate: '2026-11-25',
    dueDate: '2026-12-25',
    daysUntilDue: 30,
    subtotal: 10_000,
    discountTotal: 0,
    taxTotal: 0,
    total: 10_000,
    amountPaid: 0,
    amountDue: 10_000,
    notes: null,
    footer: null,
    lines: [line(0)],
    ...overrides,
  } as Invoice;
}

const seller: SellerSnapshot = {
  name: 'Acme Widgets',
  legalName: 'Acme Widgets GmbH',
  email: 'billing@acme.test',
  address: { line1: 'Hauptstraße 1', postalCode: '10115', city: 'Berlin', country: 'DE' },
  taxId: 'DE123456789',
};

const buyer: CustomerSnapshot = {
  name: 'Globex Corporation',
  email: 'ap@globex.test',
  address: { line1: '1 Main Street', line2: 'Suite 200', city: 'Springfield', state: 'IL', country: 'US' },
  taxId: null,
};

function input(
  overrides: Partial<Invoice> = {},
  rest: Partial<InvoiceDocumentInput> = {},
): InvoiceDocumentInput {
  return { invoice: invoice(overrides), seller, buyer, pageSize: 'A4', ...rest };
}

const html = (overrides: Partial<Invoice> = {}, rest: Partial<InvoiceDocumentInput> = {}): string =>
  invoicePrintJob(input(overrides, rest)).html;

/** The visible text of the totals table, one "label value" per row. */
function totalsRows(document: string): string[] {
  const table = /<table class="totals">([\s\S]*?)<\/table>/.exec(document)![1];
  return [...table.matchAll(/<tr[^>]*><th>([^<]*)<\/th><td>([^<]*)<\/td><\/tr>/g)].map(
    ([, label, value]) => `${label} ${value}`,
  );
}

describe('invoicePrintJob', () => {
  describe('the document', () => {
    it('starts with the content security policy and declares utf-8', () => {
      const sut = html();

      expect(sut).toMatch(
        /^<!DOCTYPE html>\s*<html lang="en">\s*<head>\s*<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">\s*<meta charset="utf-8">/,
      );
    });

    it('loads nothing from outside: no url, link, script, image or frame', () => {
      const sut = html({ notes: 'See https://example.test/terms' });

      expect(sut).not.toMatch(/<(script|link|img|iframe|object|embed|base)\b/i);
      expect(sut).not.toMatch(/url\(|@import|src=|href=/i);
    });

    it('repeats the table header on every page and keeps rows whole', () => {
      const sut = html();

      expect(sut).toContain('thead { display: table-header-group; }');
      expect(sut).toContain('tr { break-inside: avoid;');
      expect(sut).toContain('-webkit-print-color-adjust: exact');
    });

    it.each([
      ['A4', 'A4'],
      ['Letter', 'letter'],
    ] as const)('sizes the page from %s', (pageSize, css) => {
      const sut = invoicePrintJob(input({}, { pageSize }));

      expect(sut.pageSize).toBe(pageSize);
      expect(sut.html).toMatch(new RegExp(`@page \\{ size: ${css}; margin: [^;]+; \\}`));
    });

    it('shows the header, seller and buyer, skipping empty parts', () => {
      const sut = html();

      expect(sut).toContain('<h1>Invoice</h1>');
      expect(sut).toContain('<tr><th>Invoice number</th><td>INV-0042</td></tr>');
      expect(sut).toContain('<tr><th>Issue date</th><td>25 Nov 2026</td></tr>');
      expect(sut).toContain('<tr><th>Due date</th><td>25 Dec 2026</td></tr>');
      expect(sut).toContain('<tr><th>Currency</th><td>USD</td></tr>');
      expect(sut).toContain('<p class="party-name">Acme Widgets</p>');
      expect(sut).toContain('<p>Acme Widgets GmbH</p>');
      expect(sut).toContain('<p>10115 Berlin</p>');
      expect(sut).toContain('<p>Tax ID: DE123456789</p>');
      expect(sut).toContain('<h2>Bill to</h2>');
      expect(sut).toContain('<p class="party-name">Globex Corporation</p>');
      expect(sut).toContain('<p>Springfield</p>');
      expect(sut).toContain('<p>IL</p>');
      expect(invoiceView(input()).buyer.addressLines).toEqual([
        '1 Main Street',
        'Suite 200',
        'Springfield',
        'IL',
        'US',
      ]);
      expect(sut.match(/Tax ID:/g)).toHaveLength(1);
    });

    it('prints a party with only a name', () => {
      const sut = invoiceView(
        input({}, { buyer: { name: 'Solo', email: '  ', address: { line1: '', city: ' ' }, taxId: '' } }),
      );

      expect(sut.buyer).toEqual({
        name: 'Solo',
        legalName: null,
        addressLines: [],
        email: null,
        taxId: null,
      });
    });

    it('keeps the line breaks of notes and footer', () => {
      const sut = html({ notes: 'Thank you.\n  IBAN DE00 1234\n', footer: 'Acme GmbH\nHRB 12345' });

      expect(sut).toContain('<p class="text">Thank you.\n  IBAN DE00 1234</p>');
      expect(sut).toContain('<p class="footer text">Acme GmbH\nHRB 12345</p>');
      expect(sut).toContain('.text { white-space: pre-wrap;');
    });

    it('is strict: a field missing from the view is an error, not a blank', () => {
      const { currency: _currency, ...withoutCurrency } = invoiceView(input());

      expect(() => invoiceHtmlTemplate(withoutCurrency as never)).toThrow('"currency" not defined');
    });

    it('has no notes or footer section when there is none', () => {
      const sut = html({ notes: '  \n', footer: null });

      expect(sut).not.toContain('<h2>Notes</h2>');
      expect(sut).not.toContain('class="footer');
    });
  });

  describe('money', () => {
    it.each([
      ['USD', 123_456, '$1,234.56'],
      ['EUR', 123_456, '€1,234.56'],
      ['JPY', 1_235, '¥1,235'],
      ['KWD', 1_234_567, 'KWD\u00a01,234.567'],
    ])('prints %s amounts with the currency digits', (currency, amount, printed) => {
      const sut = html({
        currency,
        lines: [line(0, { unitAmount: amount, amount })],
        subtotal: amount,
        total: amount,
        amountDue: amount,
      });

      expect(sut).toContain(`<td class="num">${printed}</td><td class="num">—</td><td class="num">—</td>`);
      expect(totalsRows(sut)).toContain(`Total ${printed}`);
    });

    it('shows discount (negative) and tax only when not zero', () => {
      const withBoth = html({
        subtotal: 100_000,
        discountTotal: 10_000,
        taxTotal: 7_200,
        total: 97_200,
        amountPaid: 20_000,
        amountDue: 77_200,
      });
      const withNeither = html();

      expect(totalsRows(withBoth)).toEqual([
        'Subtotal $1,000.00',
        'Discount -$100.00',
        'Tax $72.00',
        'Total $972.00',
        'Amount paid $200.00',
        'Amount due $772.00',
      ]);
      expect(totalsRows(withNeither)).toEqual([
        'Subtotal $100.00',
        'Total $100.00',
        'Amount paid $0.00',
        'Amount due $100.00',
      ]);
      expect(withNeither).toContain('<tr class="due"><th>Amount due</th><td>$100.00</td></tr>');
    });
  });

  describe('lines', () => {
    it('prints every column: quantity and percents without trailing zeros', () => {
      const sut = html({
        lines: [
          line(0, { quantity: 1.5, unitAmount: 1_999, discountPercent: 10, taxRate: 7.25, amount: 2_999 }),
        ],
      });

      expect(sut).toContain(
        '<tr><td class="desc">Line 0</td><td class="num">1.5</td><td class="num">$19.99</td>' +
          '<td class="num">10%</td><td class="num">7.25%</td><td class="num">$29.99</td></tr>',
      );
    });

    it.each([
      [1, '1'],
      [1.5, '1.5'],
      [1000, '1,000'],
      [0.3333, '0.3333'],
      [12.25, '12.25'],
      [1234567.0001, '1,234,567.0001'],
    ])('prints quantity %p as %p', (quantity, printed) => {
      expect(formatQuantity(quantity)).toBe(printed);
    });

    it.each([
      [0, '—'],
      [10, '10%'],
      [7.25, '7.25%'],
      [0.0001, '0.0001%'],
      [100, '100%'],
    ])('prints percent %p as %p', (percent, printed) => {
      expect(formatPercent(percent)).toBe(printed);
    });

    it('prints 200 lines, all of them, in position order', () => {
      const lines = Array.from({ length: 200 }, (_, i) =>
        line(i, { description: `Item ${i + 1}` }),
      ).reverse();

      const sut = html({ lines });

      const printed = [...sut.matchAll(/<td class="desc">([^<]*)<\/td>/g)].map(([, text]) => text);
      expect(printed).toEqual(Array.from({ length: 200 }, (_, i) => `Item ${i + 1}`));
    });

    it('says so when there are no lines', () => {
      expect(html({ lines: [] })).toContain('No items');
    });

    it('refuses an invoice loaded without its lines', () => {
      expect(() => invoicePrintJob(input({ lines: undefined }))).toThrow('without its lines');
    });
  });

  describe('dates', () => {
    it.each([
      ['2026-11-25', '25 Nov 2026'],
      ['2026-01-01', '1 Jan 2026'],
      ['2026-12-31', '31 Dec 2026'],
      ['2028-02-29', '29 Feb 2028'],
      ['2026-09-07', '7 Sep 2026'],
    ])('prints %s as %s, whatever the time zone', (date, printed) => {
      expect(formatDate(date)).toBe(printed);
    });

    it('refuses a value that is not a calendar date', () => {
      expect(() => formatDate('2026-02-30')).toThrow(RangeError);
    });

    it('prints a draft without dates as not issued, with its terms', () => {
      const sut = invoiceView(
        input({ status: 'draft', number: null, issueDate: null, dueDate: null, daysUntilDue: 14 }),
      );

      expect(sut).toMatchObject({
        number: 'Draft',
        documentTitle: 'Invoice Draft',
        issueDate: 'Not issued',
        dueDate: 'Net 14 days',
      });
    });

    it('prints a draft without terms with the default terms, and its own dates when set', () => {
      const withoutTerms = invoiceView(
        input({ status: 'draft', number: null, issueDate: null, dueDate: null, daysUntilDue: null }),
      );
      const withDates = invoiceView(
        input({ status: 'draft', number: null, issueDate: '2026-11-25', dueDate: null }),
      );

      expect(withoutTerms.dueDate).toBe('Net 30 days');
      expect(withDates.issueDate).toBe('25 Nov 2026');
      expect(withDates.dueDate).toBe('Net 30 days');
    });
  });

  describe('watermark', () => {
    it.each([
      ['paid', 'PAID'],
      ['void', 'VOID'],
      ['draft', 'DRAFT'],
    ] as const)('stamps a %s invoice %s', (status, text) => {
      const sut = html({ status, number: status === 'draft' ? null : 'INV-1' });

      expect(sut).toContain(`<div class="watermark watermark-${status}">${text}</div>`);
      expect(sut.match(/<div class="watermark/g)).toHaveLength(1);
      expect(sut).toContain(`<tr><th>Status</th><td>${text}</td></tr>`);
    });

    it.each(['open', 'uncollectible'] as const)('does not stamp an %s invoice', (status) => {
      const sut = html({ status });

      expect(sut).not.toContain('<div class="watermark');
      expect(sut).not.toContain('<th>Status</th>');
      expect(sut).not.toMatch(/>(PAID|VOID|DRAFT)</);
    });
  });

  describe('footer template', () => {
    it('shows the number and page counters in a set font size across the page', () => {
      const sut = invoicePrintJob(input()).footerTemplate;

      // One well-formed style attribute: a stray quote inside it would drop the font size (Chromium's is 0).
      expect(sut).toMatch(/^<div style="[^"]*width: 100%;[^"]*font-size: 8px;[^"]*">INV-0042 &middot; Page /);
      expect(sut).toContain('Page <span class="pageNumber"></span> of <span class="totalPages"></span>');
    });

    it('says Draft for a draft', () => {
      const sut = invoicePrintJob(input({ status: 'draft', number: null })).footerTemplate;

      expect(sut).toContain('>Draft &middot; Page ');
    });
  });

  describe('hostile text', () => {
    const hostile = input(
      {
        number: `${HOSTILE}-0001`,
        notes: HOSTILE,
        footer: HOSTILE,
        lines: [line(0, { description: HOSTILE })],
      },
      {
        seller: {
          name: HOSTILE,
          legalName: HOSTILE,
          email: HOSTILE,
          taxId: HOSTILE,
          address: { line1: HOSTILE, city: HOSTILE, country: HOSTILE },
        },
        buyer: { name: HOSTILE, email: HOSTILE, taxId: HOSTILE, address: { line2: HOSTILE, state: HOSTILE } },
      },
    );

    it('prints it escaped in every field', () => {
      const sut = invoicePrintJob(hostile).html;

      expect(sut).not.toContain('<script');
      expect(sut).not.toContain('<img');
      expect(sut).not.toContain('<iframe');
      expect(sut).not.toContain('src="');
      expect(sut).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(sut).toContain('&lt;img src&#x3D;&quot;file:///etc/passwd&quot;&gt;');
      expect(sut).toContain('&lt;iframe src&#x3D;&quot;http://127.0.0.1:9/&quot;&gt;');
      // Data is never evaluated as a template: the braces print as they are.
      expect(sut).toContain('{{constructor}}');
      // Title, seller (name, legal name, 3 address lines, email, tax id), number, buyer (name, 2 lines,
      // email, tax id), line, notes, footer.
      expect(sut.match(/&lt;script&gt;alert\(1\)&lt;\/script&gt;/g)).toHaveLength(17);
    });

    it('escapes the number in the footer template', () => {
      const sut = invoicePrintJob(hostile).footerTemplate;

      expect(sut).not.toContain('<script');
      expect(sut).not.toContain('<img');
      expect(sut).not.toContain('<iframe');
      expect(sut).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(sut.match(/<span/g)).toHaveLength(2);
    });

    it('keeps user text out of attributes and CSS', () => {
      const sut = invoicePrintJob(hostile).html;

      const attributes = [...sut.matchAll(/\s[a-z-]+="([^"]*)"/g)].map(([, value]) => value);
      const style = /<style>([\s\S]*)<\/style>/.exec(sut)![1];
      expect(attributes.join(' ')).not.toMatch(/script|passwd|127\.0\.0\.1|constructor/);
      expect(style).not.toMatch(/script|passwd|127\.0\.0\.1|constructor/);
    });
  });
});
