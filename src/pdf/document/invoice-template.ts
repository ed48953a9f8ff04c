import Handlebars from 'handlebars';
import type { InvoiceView } from './invoice-document.js';

// Rules for this file: every value goes through {{ }} (escaped), none through {{{ }}}; no user text
// in attributes, CSS or URLs (the only placeholders there are closed enums: page size, watermark tone);
// no external resource of any kind. The template does no arithmetic: the view model is preformatted.

const FONT_STACK = "'Liberation Sans', 'DejaVu Sans', Arial, sans-serif";

/** One party (seller or buyer): name, legal name, address lines, email, tax id; empty parts skipped. */
const PARTY_PARTIAL = `<p class="party-name">{{name}}</p>
{{#if legalName}}<p>{{legalName}}</p>{{/if}}
{{#each addressLines}}<p>{{this}}</p>{{/each}}
{{#if email}}<p>{{email}}</p>{{/if}}
{{#if taxId}}<p>Tax ID: {{taxId}}</p>{{/if}}`;

export const INVOICE_TEMPLATE_SOURCE = `<!DOCTYPE html>
<html lang="en">
<head>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta charset="utf-8">
<title>{{documentTitle}}</title>
<style>
@page { size: {{pageSize}}; margin: 16mm 15mm 20mm 15mm; }
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body {
  margin: 0;
  font-family: ${FONT_STACK};
  font-size: 9.5pt;
  line-height: 1.4;
  color: #1f2933;
}
p, h1, h2 { margin: 0; }
h2 {
  font-size: 8pt;
  font-weight: bold;
  text-transform: uppercase;
  letter-spacing: 0.06em;
  color: #616e7c;
  margin-bottom: 1.5mm;
}
.text { white-space: pre-wrap; overflow-wrap: anywhere; }
.head { display: flex; justify-content: space-between; align-items: flex-start; gap: 10mm; }
.seller { flex: 1 1 auto; min-width: 0; overflow-wrap: anywhere; }
.party-name { font-weight: bold; }
.seller .party-name { font-size: 13pt; margin-bottom: 1mm; }
.meta { flex: 0 0 auto; text-align: right; }
.meta h1 { font-size: 24pt; font-weight: bold; letter-spacing: 0.02em; color: #102a43; margin-bottom: 3mm; }
.meta table { border-collapse: collapse; margin-left: auto; }
.meta th { text-align: left; font-weight: normal; color: #616e7c; padding: 0.4mm 5mm 0.4mm 0; white-space: nowrap; }
.meta td { text-align: right; font-weight: bold; padding: 0.4mm 0; overflow-wrap: anywhere; max-width: 70mm; }
.bill-to { margin-top: 9mm; max-width: 95mm; overflow-wrap: anywhere; }
table.lines { width: 100%; border-collapse: collapse; margin-top: 9mm; font-variant-numeric: tabular-nums; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
table.lines th {
  font-size: 8pt;
  font-weight: bold;
  text-transform: uppercase;
  letter-spacing: 0.04em;
  color: #616e7c;
  text-align: left;
  padding: 1.8mm 2mm;
  border-bottom: 1.2pt solid #1f2933;
}
table.lines td { padding: 1.8mm 2mm; border-bottom: 0.5pt solid #d9e2ec; vertical-align: top; }
table.lines .desc { width: 100%; white-space: pre-wrap; overflow-wrap: anywhere; padding-left: 0; }
table.lines .num { text-align: right; white-space: nowrap; }
table.lines .num:last-child { padding-right: 0; }
table.lines .empty { color: #616e7c; padding-left: 0; }
.totals {
  margin: 5mm 0 0 auto;
  min-width: 75mm;
  border-collapse: collapse;
  font-variant-numeric: tabular-nums;
  break-inside: avoid;
  page-break-inside: avoid;
}
.totals th, .totals td { padding: 1mm 2mm; white-space: nowrap; }
.totals th { text-align: left; font-weight: normal; padding-right: 10mm; }
.totals td { text-align: right; }
.totals .total th, .totals .total td { font-weight: bold; border-top: 1pt solid #1f2933; padding-top: 1.5mm; }
.totals .due th, .totals .due td {
  font-size: 11.5pt;
  font-weight: bold;
  background: #f0f4f8;
  border-top: 1pt solid #1f2933;
  padding-top: 2mm;
  padding-bottom: 2mm;
}
.notes { margin-top: 10mm; break-inside: avoid; page-break-inside: avoid; }
.footer { margin-top: 8mm; padding-top: 3mm; border-top: 0.5pt solid #d9e2ec; color: #52606d; font-size: 8.5pt; }
.watermark {
  position: fixed;
  top: 50%;
  left: 50%;
  transform: translate(-50%, -50%) rotate(-54deg);
  font-size: 96pt;
  font-weight: bold;
  letter-spacing: 0.08em;
  line-height: 1.1;
  padding: 2mm 9mm;
  border: 7pt solid currentColor;
  border-radius: 5mm;
  white-space: nowrap;
  opacity: 0.16;
  z-index: 10;
}
.watermark-paid { color: #0e7c3a; }
.watermark-void { color: #c81e1e; }
.watermark-draft { color: #52606d; }
</style>
</head>
<body>
<header class="head">
<section class="seller">
{{#with seller}}{{> party}}{{/with}}
</section>
<section class="meta">
<h1>Invoice</h1>
<table>
<tr><th>Invoice number</th><td>{{number}}</td></tr>
<tr><th>Issue date</th><td>{{issueDate}}</td></tr>
<tr><th>Due date</th><td>{{dueDate}}</td></tr>
<tr><th>Currency</th><td>{{currency}}</td></tr>
{{#if watermark}}<tr><th>Status</th><td>{{watermark.text}}</td></tr>{{/if}}
</table>
</section>
</header>
<section class="bill-to">
<h2>Bill to</h2>
{{#with buyer}}{{> party}}{{/with}}
</section>
<table class="lines">
<thead>
<tr><th class="desc">Description</th><th class="num">Qty</th><th class="num">Unit price</th><th class="num">Discount</th><th class="num">Tax</th><th class="num">Amount</th></tr>
</thead>
<tbody>
{{#each lines}}
<tr><td class="desc">{{description}}</td><td class="num">{{quantity}}</td><td class="num">{{unitPrice}}</td><td class="num">{{discount}}</td><td class="num">{{tax}}</td><td class="num">{{amount}}</td></tr>
{{else}}
<tr><td class="empty" colspan="6">No items</td></tr>
{{/each}}
</tbody>
</table>
{{#with totals}}
<table class="totals">
<tr><th>Subtotal</th><td>{{subtotal}}</td></tr>
{{#if discount}}<tr><th>Discount</th><td>{{discount}}</td></tr>{{/if}}
{{#if tax}}<tr><th>Tax</th><td>{{tax}}</td></tr>{{/if}}
<tr class="total"><th>Total</th><td>{{total}}</td></tr>
<tr><th>Amount paid</th><td>{{amountPaid}}</td></tr>
<tr class="due"><th>Amount due</th><td>{{amountDue}}</td></tr>
</table>
{{/with}}
{{#if notes}}
<section class="notes">
<h2>Notes</h2>
<p class="text">{{notes}}</p>
</section>
{{/if}}
{{#if footer}}
<p class="footer text">{{footer}}</p>
{{/if}}
{{!-- Rotated text comes out of a PDF letter by letter: the Status row above is the same word, horizontal,
for whoever reads the PDF as text. --}}
{{#if watermark}}
<div class="watermark watermark-{{watermark.tone}}">{{watermark.text}}</div>
{{/if}}
</body>
</html>
`;

/**
 * Chromium's footerTemplate: a separate document without the page's styles (its default font size is 0),
 * so everything is inline. Chromium fills the pageNumber and totalPages spans.
 */
export const INVOICE_FOOTER_TEMPLATE_SOURCE = `<div style="width: 100%; padding: 0 15mm 3mm; font-family: ${FONT_STACK}; font-size: 8px; color: #616e7c; text-align: center;">{{number}} &middot; Page <span class="pageNumber"></span> of <span class="totalPages"></span></div>`;

// An environment of our own (no helpers or partials registered elsewhere leak in); strict: a field the
// view lacks is an error, not a blank; knownHelpersOnly: only the built-in if/each/with.
const handlebars = Handlebars.create();
handlebars.registerPartial('party', PARTY_PARTIAL);
const OPTIONS = { strict: true, knownHelpersOnly: true } as const;

export const invoiceHtmlTemplate = handlebars.compile<InvoiceView>(INVOICE_TEMPLATE_SOURCE, OPTIONS);

export const invoiceFooterTemplate = handlebars.compile<{ number: string }>(
  INVOICE_FOOTER_TEMPLATE_SOURCE,
  OPTIONS,
);
