import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import openapiTS, { astToString } from 'openapi-typescript';
import { startPdfTestApp } from '../support/pdf.js';
import type { TestApp } from '../support/test-app.js';

const run = promisify(execFile);
const TSC = path.join(process.cwd(), 'node_modules/typescript/bin/tsc');

/**
 * A consumer's strict project: both programs beside the generated types, checked in one tsc run (same options
 * for the flow and its negative control), emitted as ESM for Node even though wrong.ts does not type-check.
 */
const TSCONFIG = {
  compilerOptions: {
    target: 'ES2023',
    lib: ['ES2023'],
    module: 'nodenext',
    moduleResolution: 'nodenext',
    types: ['node'],
    strict: true,
    noUncheckedIndexedAccess: true,
    noEmitOnError: false,
  },
  files: ['flow.ts', 'wrong.ts', 'schema.d.ts'],
};

// The whole flow through the generated types: typed paths, bodies and answers, no casts, no any.
// The temporary directory sits inside the project (git-ignored .build-*), so 'openapi-fetch' resolves.
const FLOW = `import createClient from 'openapi-fetch';
import type { paths } from './schema.js';

const baseUrl = process.argv[2];
if (!baseUrl) throw new Error('usage: node flow.js <baseUrl>');

/** The body of a 2xx answer, or an error naming the step, the status and the problem document. */
function ok<T>(step: string, result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data === undefined) {
    throw new Error(step + ' answered ' + result.response.status + ': ' + JSON.stringify(result.error));
  }
  return result.data;
}

const anonymous = createClient<paths>({ baseUrl });
const session = ok(
  'signup',
  await anonymous.POST('/v1/auth/signup', {
    body: {
      email: 'flow-' + Date.now() + '@example.test',
      password: 'correct horse battery staple',
      name: 'Flo Client',
      organizationName: 'Generated Client Ltd',
    },
  }),
);
const api = createClient<paths>({ baseUrl, headers: { Authorization: 'Bearer ' + session.accessToken } });

const customer = ok(
  'createCustomer',
  await api.POST('/v1/customers', {
    body: { name: 'Globex', email: 'ap@globex.test', address: { city: 'Springfield', country: 'US' } },
  }),
);
const draft = ok(
  'createInvoice',
  await api.POST('/v1/invoices', {
    body: {
      customerId: customer.id,
      currency: 'USD',
      lineItems: [
        { description: 'Consulting', quantity: 1.5, unitAmount: 12000, taxRate: 20 },
        { description: 'Travel', quantity: 1, unitAmount: 4550, discountPercent: 10 },
      ],
    },
  }),
);
const issued = ok(
  'finalizeInvoice',
  await api.POST('/v1/invoices/{id}/finalize', { params: { path: { id: draft.id } } }),
);
const payment = ok(
  'createPayment',
  await api.POST('/v1/payments', {
    body: { invoiceId: issued.id, amount: issued.amountDue, method: 'bank_transfer', reference: 'generated client' },
  }),
);
const paid = ok('getInvoice', await api.GET('/v1/invoices/{id}', { params: { path: { id: issued.id } } }));
// A comparison with a status the schema does not list would not compile.
if (paid.status !== 'paid') throw new Error('invoice is ' + paid.status + ' after a full payment');

let pdf: ArrayBuffer | undefined;
let polls = 0;
const deadline = Date.now() + 30000;
while (pdf === undefined) {
  polls += 1;
  const result = await api.GET('/v1/invoices/{id}/pdf', {
    params: { path: { id: paid.id } },
    parseAs: 'arrayBuffer',
  });
  if (result.response.status === 200) {
    pdf = ok('getInvoicePdf', result);
  } else if (result.response.status !== 202 || Date.now() > deadline) {
    throw new Error('getInvoicePdf answered ' + result.response.status + ' after ' + polls + ' polls');
  } else {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
const bytes = new Uint8Array(pdf);

console.log(
  JSON.stringify({
    invoiceId: paid.id,
    number: paid.number,
    status: paid.status,
    currency: paid.currency,
    total: paid.total,
    amountPaid: paid.amountPaid,
    amountDue: paid.amountDue,
    paymentStatus: payment.status,
    paymentAmount: payment.amount,
    pdfPolls: polls,
    pdfBytes: bytes.byteLength,
    pdfMagic: new TextDecoder().decode(bytes.subarray(0, 5)),
  }),
);
`;

// The negative control: createCustomer's body with a field the schema does not have (email is 'email').
const WRONG = `import createClient from 'openapi-fetch';
import type { paths } from './schema.js';

const api = createClient<paths>({ baseUrl: 'http://127.0.0.1:9' });
await api.POST('/v1/customers', { body: { name: 'Globex', emailAddress: 'ap@globex.test' } });
`;

interface FlowSummary {
  invoiceId: string;
  number: string | null;
  status: string;
  currency: string;
  total: number;
  amountPaid: number;
  amountDue: number;
  paymentStatus: string;
  paymentAmount: number;
  pdfPolls: number;
  pdfBytes: number;
  pdfMagic: string;
}

/** tsc on the project in `dir`: its diagnostics, one a line (tsc prints them on stdout and exits non-zero). */
async function typeCheck(dir: string): Promise<string[]> {
  const output = await run(process.execPath, [TSC, '-p', dir, '--pretty', 'false'], {
    cwd: dir,
    timeout: 60_000,
  })
    .then(({ stdout }) => stdout)
    .catch((error: { stdout?: string; message: string }) => error.stdout || error.message);
  // Continuation lines (indented) elaborate the diagnostic above them.
  return output.split('\n').filter((line) => line !== '' && !line.startsWith(' '));
}

describe('a TypeScript client generated from /docs-json', () => {
  let sut: TestApp;
  let baseUrl: string;
  let document: string;
  let dir: string;

  beforeAll(async () => {
    sut = await startPdfTestApp('generated_client');
    await sut.app.listen(0, '127.0.0.1');
    baseUrl = await sut.app.getUrl();
    const response = await fetch(`${baseUrl}/docs-json`);
    expect(response.status).toBe(200);
    document = await response.text();
    dir = await mkdtemp(path.join(process.cwd(), '.build-generated-client-'));
  }, 60_000);
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    await sut?.close();
  });

  it('passes the Redocly linter with its recommended rules', async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({ source: document, absoluteRef: `${baseUrl}/docs-json`, config });
    const where = (problem: (typeof problems)[number]) => problem.location[0]?.pointer ?? '?';
    const warnings = problems.filter((problem) => problem.severity === 'warn');
    if (warnings.length > 0) {
      console.warn(
        `Redocly warnings on /docs-json:\n${warnings.map((w) => `${w.ruleId} at ${where(w)}: ${w.message}`).join('\n')}`,
      );
    }
    // Grouped by rule, so a failure reads as a short list of what to fix and where.
    const errors: Record<string, string[]> = {};
    for (const problem of problems.filter(({ severity }) => severity === 'error')) {
      (errors[problem.ruleId] ??= []).push(where(problem));
    }
    expect(errors).toEqual({});
  });

  it('types a whole flow, rejects a wrong body, and runs the flow against the API', async () => {
    // Typed calls only: an any, a cast or a suppression would let the flow compile whatever the schema says.
    expect(FLOW).not.toMatch(/\bany\b|\bas\b|@ts-/);
    // defaultNonNullable (on by default) would make a $ref'd request field with a default, like a line's
    // taxRate, required: openapi-ts/openapi-typescript#1741. Our answers list every field as required anyway.
    const schema = astToString(
      await openapiTS(JSON.parse(document), { defaultNonNullable: false, silent: true }),
    );
    await Promise.all([
      writeFile(path.join(dir, 'schema.d.ts'), schema),
      writeFile(path.join(dir, 'flow.ts'), FLOW),
      writeFile(path.join(dir, 'wrong.ts'), WRONG),
      writeFile(path.join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG)),
    ]);

    // flow.ts type-checks against the generated schema; wrong.ts fails, and for the reason planted only
    // (not a missing module, a broken schema.d.ts or a loose type that would let anything through).
    expect(await typeCheck(dir)).toEqual([
      expect.stringMatching(/^wrong\.ts\(5,\d+\): error TS2353: .*'emailAddress' does not exist in type/),
    ]);

    const { stdout } = await run(process.execPath, [path.join(dir, 'flow.js'), baseUrl], {
      cwd: dir,
      timeout: 45_000,
    });
    const summary = JSON.parse(stdout) as FlowSummary;
    expect(summary).toMatchObject({
      status: 'paid',
      currency: 'USD',
      amountDue: 0,
      amountPaid: summary.total,
      paymentStatus: 'succeeded',
      paymentAmount: summary.total,
      pdfMagic: '%PDF-',
    });
    expect(summary.number).toMatch(/\d/);
    // 1.5 × 120.00 + 20 % tax, and 45.50 less 10 %: 216.00 + 40.95.
    expect(summary.total).toBe(25695);
    expect(summary.pdfBytes).toBeGreaterThan(1000);
  }, 60_000);
});
