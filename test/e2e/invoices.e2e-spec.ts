import type { Response } from 'supertest';
import {
  type Account,
  actingAs,
  addMember,
  createCustomer,
  createInvoice,
  eventsAbout,
  expectProblem,
  finalizeInvoice,
  getInvoice,
  type InvoiceBody,
  lineItem,
  signUpOwner,
} from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const MISSING_ID = '0190a3c1-0000-7000-8000-000000000000';

/** DESIGN.md's example: 1.5 × 120.00, 10 % off, 19.6 % tax → 18000, 1800, 3175. */
const CONSULTING = {
  description: 'Consulting, October',
  quantity: 1.5,
  unitAmount: 12000,
  discountPercent: 10,
  taxRate: 19.6,
};
const HOSTING = { description: 'Hosting', quantity: 3, unitAmount: 999 };

const ADDRESS = { line1: '1 Main Street', city: 'Springfield', postalCode: '62701', country: 'US' };

const fieldsOf = (body: { errors?: { field: string }[] }) => (body.errors ?? []).map((error) => error.field);

describe('invoices', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp();
  });
  afterAll(() => sut.close());

  const as = (account: Account) => actingAs(sut.http, account);
  const draft = (account: Account, fields: Record<string, unknown> = {}) =>
    createInvoice(sut.http, account, fields);
  const fetchInvoice = (account: Account, id: string) => getInvoice(sut.http, account, id);
  const archiveCustomer = (account: Account, id: string) =>
    as(account).post(`/v1/customers/${id}/archive`).expect(200);

  async function rowCounts(organizationId: string) {
    const { rows } = await sut.db.query<{ invoices: number; lines: number; events: number }>(
      `SELECT (SELECT count(*) FROM invoices WHERE organization_id = $1)::int AS invoices,
              (SELECT count(*) FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
                WHERE i.organization_id = $1)::int AS lines,
              (SELECT count(*) FROM events WHERE organization_id = $1)::int AS events`,
      [organizationId],
    );
    return rows[0];
  }

  /** Runs `act`, then checks that it wrote no invoice, line or event in the organization. */
  async function expectNothingWritten(organizationId: string, act: () => Promise<void>): Promise<void> {
    const before = await rowCounts(organizationId);
    await act();
    expect(await rowCounts(organizationId)).toEqual(before);
  }

  describe('POST /v1/invoices', () => {
    it('answers 201 with the whole draft, every amount computed by the server', async () => {
      const owner = await signUpOwner(sut.http);
      const customer = await createCustomer(sut.http, owner, {
        name: 'Globex Corporation',
        address: ADDRESS,
        taxId: 'US-42',
      });

      const response = await as(owner)
        .post('/v1/invoices', {
          customerId: customer.id,
          lineItems: [CONSULTING, HOSTING],
          issueDate: '2026-12-01',
          daysUntilDue: 14,
          notes: 'Thank you',
          footer: 'Bank: 123',
          metadata: { project: 'apollo' },
        })
        .expect(201);

      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.body).toEqual({
        id: expect.stringMatching(UUID),
        number: null,
        status: 'draft',
        customerId: customer.id,
        customer: { name: 'Globex Corporation', email: customer.email, address: ADDRESS, taxId: 'US-42' },
        seller: null,
        currency: 'USD',
        issueDate: '2026-12-01',
        dueDate: null,
        daysUntilDue: 14,
        lineItems: [
          {
            ...CONSULTING,
            id: expect.stringMatching(UUID),
            amount: 18000,
            discountAmount: 1800,
            taxAmount: 3175,
          },
          {
            ...HOSTING,
            id: expect.stringMatching(UUID),
            discountPercent: 0,
            taxRate: 0,
            amount: 2997,
            discountAmount: 0,
            taxAmount: 0,
          },
        ],
        subtotal: 20997,
        discountTotal: 1800,
        taxTotal: 3175,
        total: 22372,
        amountPaid: 0,
        amountDue: 22372,
        notes: 'Thank you',
        footer: 'Bank: 123',
        metadata: { project: 'apollo' },
        overdue: false,
        allowedActions: ['update', 'finalize', 'delete'],
        statusTransitions: { finalizedAt: null, paidAt: null, voidedAt: null, markedUncollectibleAt: null },
        sentAt: null,
        pdf: null,
        createdAt: expect.stringMatching(ISO_UTC),
        updatedAt: expect.stringMatching(ISO_UTC),
      });
      expect(await fetchInvoice(owner, response.body.id)).toEqual(response.body);
    });

    it('answers every optional field empty when only the customer is sent', async () => {
      const owner = await signUpOwner(sut.http);
      const customer = await createCustomer(sut.http, owner);

      const invoice = (await as(owner).post('/v1/invoices', { customerId: customer.id }).expect(201)).body;

      expect(invoice).toMatchObject({
        lineItems: [],
        subtotal: 0,
        discountTotal: 0,
        taxTotal: 0,
        total: 0,
        amountDue: 0,
        issueDate: null,
        dueDate: null,
        daysUntilDue: null,
        notes: null,
        footer: null,
        metadata: {},
      });
    });

    it.each<[string, object, { amount: number; discountAmount: number; taxAmount: number }]>([
      [
        'a fractional quantity',
        { quantity: 0.3333, unitAmount: 1500 },
        { amount: 500, discountAmount: 0, taxAmount: 0 },
      ],
      [
        'a half-cent amount',
        { quantity: 0.5, unitAmount: 1001 },
        { amount: 501, discountAmount: 0, taxAmount: 0 },
      ],
      [
        'a half-cent discount',
        { quantity: 1, unitAmount: 105, discountPercent: 10 },
        { amount: 105, discountAmount: 11, taxAmount: 0 },
      ],
      [
        'tax on the discounted amount',
        { quantity: 1, unitAmount: 10000, discountPercent: 25, taxRate: 7.25 },
        { amount: 10000, discountAmount: 2500, taxAmount: 544 },
      ],
      [
        'a 4-decimal tax rate',
        { quantity: 4, unitAmount: 2500, taxRate: 8.8751 },
        { amount: 10000, discountAmount: 0, taxAmount: 888 },
      ],
    ])('rounds each step half up for %s', async (_label, line, amounts) => {
      const owner = await signUpOwner(sut.http);

      const invoice = await draft(owner, { lineItems: [lineItem(line)] });

      expect(invoice.lineItems[0]).toMatchObject(amounts);
      expect(invoice.total).toBe(amounts.amount - amounts.discountAmount + amounts.taxAmount);
    });

    it('sums the lines into the totals, and amountDue is the total', async () => {
      const owner = await signUpOwner(sut.http);
      const lines = [CONSULTING, HOSTING, lineItem({ quantity: 1, unitAmount: 333, taxRate: 20 })];

      const invoice = await draft(owner, { lineItems: lines });

      const sum = (key: 'amount' | 'discountAmount' | 'taxAmount') =>
        invoice.lineItems.reduce((total, line) => total + line[key], 0);
      expect(invoice).toMatchObject({
        subtotal: sum('amount'),
        discountTotal: sum('discountAmount'),
        taxTotal: sum('taxAmount'),
        total: sum('amount') - sum('discountAmount') + sum('taxAmount'),
        amountDue: 18000 + 2997 + 333 - 1800 + 3175 + 67,
      });
      expect(invoice.lineItems.map((line) => line.description)).toEqual(
        lines.map((line) => line.description),
      );
    });

    describe('currency', () => {
      it("defaults to the customer's", async () => {
        const owner = await signUpOwner(sut.http);
        const customer = await createCustomer(sut.http, owner, { currency: 'EUR' });
        expect((await draft(owner, { customerId: customer.id })).currency).toBe('EUR');
      });

      it("defaults to the organization's when the customer has none", async () => {
        const owner = await signUpOwner(sut.http);
        await as(owner).patch('/v1/organization', { defaultCurrency: 'GBP' }).expect(200);
        const customer = await createCustomer(sut.http, owner);
        expect((await draft(owner, { customerId: customer.id })).currency).toBe('GBP');
      });

      it("takes the one sent over the customer's", async () => {
        const owner = await signUpOwner(sut.http);
        const customer = await createCustomer(sut.http, owner, { currency: 'EUR' });
        expect((await draft(owner, { customerId: customer.id, currency: 'CHF' })).currency).toBe('CHF');
      });

      it.each<[string, string, object, Record<string, number>]>([
        [
          'JPY (no minor unit)',
          'JPY',
          { quantity: 0.5, unitAmount: 1001, taxRate: 10 },
          { amount: 501, discountAmount: 0, taxAmount: 50, total: 551 },
        ],
        [
          'KWD (three decimals)',
          'KWD',
          { quantity: 3, unitAmount: 1250, discountPercent: 5, taxRate: 15 },
          { amount: 3750, discountAmount: 188, taxAmount: 534, total: 4096 },
        ],
      ])('keeps %s amounts in integer minor units', async (_label, currency, line, expected) => {
        const owner = await signUpOwner(sut.http);

        const invoice = await draft(owner, { currency, lineItems: [lineItem(line)] });

        const [computed] = invoice.lineItems;
        expect({ currency: invoice.currency, ...computed, total: invoice.total }).toMatchObject({
          currency,
          ...expected,
        });
        const amounts = [computed.amount, computed.discountAmount, computed.taxAmount, invoice.total];
        expect(amounts.every(Number.isInteger)).toBe(true);
      });
    });

    it('writes one invoice.created event carrying the invoice as answered', async () => {
      const owner = await signUpOwner(sut.http);

      const invoice = await draft(owner, { lineItems: [CONSULTING] });

      expect(await eventsAbout(sut.db, invoice.id)).toEqual([
        { type: 'invoice.created', organizationId: owner.organizationId, data: invoice },
      ]);
    });

    it('accepts 250 lines, the limit', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await draft(owner, { lineItems: Array.from({ length: 250 }, () => lineItem()) });
      expect(invoice.lineItems).toHaveLength(250);
      expect(invoice.subtotal).toBe(250 * 10000);
    });

    const line = lineItem;
    it.each<[string, object, string]>([
      ['subtotal sent', { subtotal: 100 }, 'subtotal'],
      ['total sent', { total: 100 }, 'total'],
      ['amountDue sent', { amountDue: 100 }, 'amountDue'],
      ['status sent', { status: 'open' }, 'status'],
      ['a line amount sent', { lineItems: [line({ amount: 100 })] }, 'lineItems.0.amount'],
      ['a line taxAmount sent', { lineItems: [line({ taxAmount: 1 })] }, 'lineItems.0.taxAmount'],
      ['a negative unitAmount', { lineItems: [line({ unitAmount: -1 })] }, 'lineItems.0.unitAmount'],
      ['a fractional unitAmount', { lineItems: [line({ unitAmount: 12.5 })] }, 'lineItems.0.unitAmount'],
      ['a string unitAmount', { lineItems: [line({ unitAmount: '100' })] }, 'lineItems.0.unitAmount'],
      ['unitAmount 1e300', { lineItems: [line({ unitAmount: 1e300 })] }, 'lineItems.0.unitAmount'],
      ['unitAmount 2^53', { lineItems: [line({ unitAmount: 2 ** 53 })] }, 'lineItems.0.unitAmount'],
      ['no unitAmount', { lineItems: [{ description: 'X', quantity: 1 }] }, 'lineItems.0.unitAmount'],
      ['quantity 0', { lineItems: [line({ quantity: 0 })] }, 'lineItems.0.quantity'],
      ['a negative quantity', { lineItems: [line({ quantity: -1 })] }, 'lineItems.0.quantity'],
      ['a quantity with 5 decimals', { lineItems: [line({ quantity: 1.00001 })] }, 'lineItems.0.quantity'],
      ['a string quantity', { lineItems: [line({ quantity: '2' })] }, 'lineItems.0.quantity'],
      ['taxRate 101', { lineItems: [line({ taxRate: 101 })] }, 'lineItems.0.taxRate'],
      ['taxRate -1', { lineItems: [line({ taxRate: -1 })] }, 'lineItems.0.taxRate'],
      ['a taxRate with 5 decimals', { lineItems: [line({ taxRate: 19.60001 })] }, 'lineItems.0.taxRate'],
      [
        'discountPercent 100.5',
        { lineItems: [line({ discountPercent: 100.5 })] },
        'lineItems.0.discountPercent',
      ],
      ['an empty description', { lineItems: [line({ description: '' })] }, 'lineItems.0.description'],
      ['a bad second line', { lineItems: [line(), line({ unitAmount: -5 })] }, 'lineItems.1.unitAmount'],
      ['251 lines', { lineItems: Array.from({ length: 251 }, () => line()) }, 'lineItems'],
      ['lineItems not a list', { lineItems: line() }, 'lineItems'],
      ['currency XXX', { currency: 'XXX' }, 'currency'],
      ['currency usd', { currency: 'usd' }, 'currency'],
      ['currency null', { currency: null }, 'currency'],
      ['dueDate and daysUntilDue both', { dueDate: '2026-12-31', daysUntilDue: 30 }, 'daysUntilDue'],
      ['issueDate 2026-02-30', { issueDate: '2026-02-30' }, 'issueDate'],
      ['dueDate 25/11/2026', { dueDate: '25/11/2026' }, 'dueDate'],
      ['issueDate in year 0, which Postgres has not', { issueDate: '0000-01-01' }, 'issueDate'],
      ['a timestamp as issueDate', { issueDate: '2026-11-25T00:00:00Z' }, 'issueDate'],
      ['negative daysUntilDue', { daysUntilDue: -1 }, 'daysUntilDue'],
      ['fractional daysUntilDue', { daysUntilDue: 1.5 }, 'daysUntilDue'],
      ['metadata with a number', { metadata: { a: 1 } }, 'metadata'],
      ['an unknown field', { discount: 5 }, 'discount'],
    ])(
      'refuses %s: 400 validation_failed naming the field, writing nothing',
      async (_label, fields, field) => {
        const owner = await signUpOwner(sut.http);
        const customer = await createCustomer(sut.http, owner);

        await expectNothingWritten(owner.organizationId, async () => {
          const response = await as(owner).post('/v1/invoices', {
            customerId: customer.id,
            lineItems: [lineItem()],
            ...fields,
          });
          expectProblem(response, 400, 'validation_failed');
          expect(fieldsOf(response.body)).toContain(field);
        });
      },
    );

    it.each(['missing', 'not-a-uuid'])('refuses a customerId %s: 400 validation_failed', async (label) => {
      const owner = await signUpOwner(sut.http);
      const body = label === 'missing' ? { lineItems: [lineItem()] } : { customerId: label };

      const response = await as(owner).post('/v1/invoices', body);

      expectProblem(response, 400, 'validation_failed');
      expect(fieldsOf(response.body)).toEqual(['customerId']);
    });

    it.each<[string, object[]]>([
      [
        '1000000 × 9007199254740 on one line',
        [lineItem({ quantity: 1_000_000, unitAmount: 9_007_199_254_740 })],
      ],
      [
        'two lines whose subtotal passes MAX_SAFE_INTEGER',
        [lineItem({ quantity: 1, unitAmount: 5e15 }), lineItem({ quantity: 1, unitAmount: 5e15 })],
      ],
      [
        'tax that pushes the total past MAX_SAFE_INTEGER',
        [lineItem({ quantity: 1, unitAmount: Number.MAX_SAFE_INTEGER, taxRate: 1 })],
      ],
    ])('refuses %s: 400 amount_out_of_range, writing nothing', async (_label, lineItems) => {
      const owner = await signUpOwner(sut.http);
      const customer = await createCustomer(sut.http, owner);

      await expectNothingWritten(owner.organizationId, async () => {
        const response = await as(owner).post('/v1/invoices', { customerId: customer.id, lineItems });
        expectProblem(response, 400, 'amount_out_of_range');
      });
    });

    it("answers 404 customer_not_found for another organization's customer, writing nothing", async () => {
      const owner = await signUpOwner(sut.http);
      const other = await signUpOwner(sut.http, 'Other Inc');
      const theirs = await createCustomer(sut.http, other);

      await expectNothingWritten(owner.organizationId, async () => {
        await expectNothingWritten(other.organizationId, async () => {
          const response = await as(owner).post('/v1/invoices', { customerId: theirs.id });
          expectProblem(response, 404, 'customer_not_found');
        });
      });
    });

    it('answers 422 customer_archived for an archived customer, writing nothing', async () => {
      const owner = await signUpOwner(sut.http);
      const customer = await createCustomer(sut.http, owner);
      await archiveCustomer(owner, customer.id);

      await expectNothingWritten(owner.organizationId, async () => {
        const response = await as(owner).post('/v1/invoices', {
          customerId: customer.id,
          lineItems: [lineItem()],
        });
        expectProblem(response, 422, 'customer_archived');
      });
    });

    it.each<[string, object]>([
      ['notes', { notes: 'a\u0000b' }],
      ['a line description', { lineItems: [lineItem({ description: 'a\u0000b' })] }],
      ['metadata', { metadata: { key: 'a\u0000b' } }],
    ])('refuses a NUL character in %s with 400 validation_failed, not a 500', async (_label, fields) => {
      const owner = await signUpOwner(sut.http);
      const customer = await createCustomer(sut.http, owner);

      await expectNothingWritten(owner.organizationId, async () => {
        const response = await as(owner).post('/v1/invoices', { customerId: customer.id, ...fields });
        expectProblem(response, 400, 'validation_failed');
      });
    });

    it('answers 401 unauthorized without a token', async () => {
      expectProblem(
        await sut.http.post('/v1/invoices').send({ customerId: MISSING_ID }),
        401,
        'unauthorized',
      );
    });
  });

  describe('GET /v1/invoices/:id', () => {
    it('answers 404 invoice_not_found for an id that does not exist', async () => {
      const owner = await signUpOwner(sut.http);
      expectProblem(await as(owner).get(`/v1/invoices/${MISSING_ID}`), 404, 'invoice_not_found');
    });
  });

  describe('PATCH /v1/invoices/:id', () => {
    const patch = async (account: Account, id: string, body: object): Promise<InvoiceBody> =>
      (await as(account).patch(`/v1/invoices/${id}`, body).expect(200)).body;

    it('replaces every line with lineItems and recomputes the totals', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await draft(owner, { lineItems: [lineItem(), HOSTING] });

      const updated = await patch(owner, invoice.id, { lineItems: [CONSULTING] });

      expect(updated.lineItems).toEqual([
        {
          ...CONSULTING,
          id: expect.stringMatching(UUID),
          amount: 18000,
          discountAmount: 1800,
          taxAmount: 3175,
        },
      ]);
      expect(invoice.lineItems.map((line) => line.id)).not.toContain(updated.lineItems[0].id);
      expect(updated).toMatchObject({
        subtotal: 18000,
        discountTotal: 1800,
        taxTotal: 3175,
        total: 19375,
        amountDue: 19375,
      });
      const { rows } = await sut.db.query('SELECT description FROM invoice_lines WHERE invoice_id = $1', [
        invoice.id,
      ]);
      expect(rows).toEqual([{ description: CONSULTING.description }]);
      expect(await fetchInvoice(owner, invoice.id)).toEqual(updated);
    });

    it('changes only the fields sent and keeps the lines when lineItems is left out', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await draft(owner, { notes: 'Old notes', footer: 'Footer', currency: 'EUR' });

      const updated = await patch(owner, invoice.id, { notes: 'New notes', metadata: { po: '7' } });

      expect(updated).toEqual({
        ...invoice,
        notes: 'New notes',
        metadata: { po: '7' },
        updatedAt: expect.stringMatching(ISO_UTC),
      });
      // The draft preview's ETag is made from it: an edit must move it on.
      expect(Date.parse(updated.updatedAt)).toBeGreaterThan(Date.parse(invoice.updatedAt));
    });

    it('clears notes, footer and issueDate sent as null', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await draft(owner, { notes: 'Notes', footer: 'Footer', issueDate: '2026-12-01' });

      const updated = await patch(owner, invoice.id, { notes: null, footer: null, issueDate: null });

      expect(updated).toMatchObject({ notes: null, footer: null, issueDate: null });
    });

    it('clears daysUntilDue when dueDate is set', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await draft(owner, { daysUntilDue: 14 });

      const updated = await patch(owner, invoice.id, { dueDate: '2026-12-31' });

      expect(updated).toMatchObject({ dueDate: '2026-12-31', daysUntilDue: null });
    });

    it('clears dueDate when daysUntilDue is set', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await draft(owner, { dueDate: '2026-12-31' });

      const updated = await patch(owner, invoice.id, { daysUntilDue: 7 });

      expect(updated).toMatchObject({ dueDate: null, daysUntilDue: 7 });
    });

    it('moves the draft to another customer of the organization, showing that customer', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await draft(owner);
      const initech = await createCustomer(sut.http, owner, { name: 'Initech' });

      const updated = await patch(owner, invoice.id, { customerId: initech.id });

      expect(updated).toMatchObject({
        customerId: initech.id,
        customer: { name: 'Initech', email: initech.email },
      });
    });

    it('writes one invoice.updated event carrying the invoice after the change', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await draft(owner);

      const updated = await patch(owner, invoice.id, { lineItems: [HOSTING] });

      expect(await eventsAbout(sut.db, invoice.id)).toEqual([
        expect.objectContaining({ type: 'invoice.created' }),
        { type: 'invoice.updated', organizationId: owner.organizationId, data: updated },
      ]);
    });

    it.each<[string, object, number, string]>([
      ['subtotal sent', { subtotal: 1 }, 400, 'validation_failed'],
      ['a line amount sent', { lineItems: [lineItem({ amount: 1 })] }, 400, 'validation_failed'],
      ['a fractional unitAmount', { lineItems: [lineItem({ unitAmount: 0.5 })] }, 400, 'validation_failed'],
      ['dueDate and daysUntilDue both', { dueDate: '2026-12-31', daysUntilDue: 3 }, 400, 'validation_failed'],
      ['customerId null', { customerId: null }, 400, 'validation_failed'],
      ['lineItems null', { lineItems: null }, 400, 'validation_failed'],
      [
        'lines beyond MAX_SAFE_INTEGER',
        { lineItems: [lineItem({ quantity: 1_000_000, unitAmount: 9_007_199_254_740 })] },
        400,
        'amount_out_of_range',
      ],
      ['a customer that does not exist', { customerId: MISSING_ID }, 404, 'customer_not_found'],
    ])('refuses %s and changes nothing', async (_label, body, status, code) => {
      const owner = await signUpOwner(sut.http);
      const invoice = await draft(owner);

      await expectNothingWritten(owner.organizationId, async () => {
        expectProblem(await as(owner).patch(`/v1/invoices/${invoice.id}`, body), status, code);
      });
      expect(await fetchInvoice(owner, invoice.id)).toEqual(invoice);
    });

    it("refuses another organization's customer with 404 customer_not_found", async () => {
      const owner = await signUpOwner(sut.http);
      const other = await signUpOwner(sut.http, 'Other Inc');
      const invoice = await draft(owner);
      const theirs = await createCustomer(sut.http, other);

      const response = await as(owner).patch(`/v1/invoices/${invoice.id}`, { customerId: theirs.id });

      expectProblem(response, 404, 'customer_not_found');
      expect(await fetchInvoice(owner, invoice.id)).toEqual(invoice);
    });

    it('refuses an archived customer with 422 customer_archived', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await draft(owner);
      const archived = await createCustomer(sut.http, owner);
      await archiveCustomer(owner, archived.id);

      const response = await as(owner).patch(`/v1/invoices/${invoice.id}`, { customerId: archived.id });

      expectProblem(response, 422, 'customer_archived');
      expect(await fetchInvoice(owner, invoice.id)).toEqual(invoice);
    });

    it('refuses a finalized invoice with 409 cannot_update_invoice and keeps it as issued', async () => {
      const owner = await signUpOwner(sut.http);
      const issued = await finalizeInvoice(sut.http, owner, (await draft(owner)).id);

      await expectNothingWritten(owner.organizationId, async () => {
        const response = await as(owner).patch(`/v1/invoices/${issued.id}`, { lineItems: [CONSULTING] });
        expectProblem(response, 409, 'cannot_update_invoice');
      });
      expect(await fetchInvoice(owner, issued.id)).toEqual(issued);
    });
  });

  describe('DELETE /v1/invoices/:id', () => {
    it('lets an admin delete a draft: 204, then 404 invoice_not_found, its lines gone', async () => {
      const owner = await signUpOwner(sut.http);
      const admin = await addMember(sut.http, owner, 'admin');
      const invoice = await draft(owner, { lineItems: [CONSULTING, HOSTING] });

      const response = await as(admin).delete(`/v1/invoices/${invoice.id}`).expect(204);

      expect(response.text).toBe('');
      expectProblem(await as(admin).get(`/v1/invoices/${invoice.id}`), 404, 'invoice_not_found');
      expectProblem(await as(admin).delete(`/v1/invoices/${invoice.id}`), 404, 'invoice_not_found');
      expect(await rowCounts(owner.organizationId)).toMatchObject({ invoices: 0, lines: 0 });
    });

    it('writes an invoice.deleted event carrying the invoice as it last was', async () => {
      const owner = await signUpOwner(sut.http);
      const invoice = await draft(owner);

      await as(owner).delete(`/v1/invoices/${invoice.id}`).expect(204);

      expect(await eventsAbout(sut.db, invoice.id)).toEqual([
        expect.objectContaining({ type: 'invoice.created' }),
        { type: 'invoice.deleted', organizationId: owner.organizationId, data: invoice },
      ]);
    });

    it('refuses a finalized invoice with 409 cannot_delete_invoice and keeps it', async () => {
      const owner = await signUpOwner(sut.http);
      const issued = await finalizeInvoice(sut.http, owner, (await draft(owner)).id);

      await expectNothingWritten(owner.organizationId, async () => {
        expectProblem(await as(owner).delete(`/v1/invoices/${issued.id}`), 409, 'cannot_delete_invoice');
      });
      expect(await fetchInvoice(owner, issued.id)).toEqual(issued);
    });
  });

  type Client = ReturnType<typeof as>;
  type Send = (client: Client, id: string) => PromiseLike<Response>;
  const ROUTES: Record<string, Send> = {
    'GET /v1/invoices/:id': (client, id) => client.get(`/v1/invoices/${id}`),
    'PATCH /v1/invoices/:id': (client, id) => client.patch(`/v1/invoices/${id}`, { notes: 'Mine now' }),
    'DELETE /v1/invoices/:id': (client, id) => client.delete(`/v1/invoices/${id}`),
    'POST /v1/invoices/:id/finalize': (client, id) => client.post(`/v1/invoices/${id}/finalize`),
    'POST /v1/invoices/:id/send': (client, id) => client.post(`/v1/invoices/${id}/send`),
    'POST /v1/invoices/:id/void': (client, id) => client.post(`/v1/invoices/${id}/void`),
    'POST /v1/invoices/:id/mark-uncollectible': (client, id) =>
      client.post(`/v1/invoices/${id}/mark-uncollectible`),
  };
  /** Routes that would succeed on an open invoice (the others, on a draft). */
  const ON_OPEN = new Set([
    'POST /v1/invoices/:id/send',
    'POST /v1/invoices/:id/void',
    'POST /v1/invoices/:id/mark-uncollectible',
  ]);
  const routes = (names: string[]) => names.map((name): [string, Send] => [name, ROUTES[name]]);

  /** An invoice the route would act on if the caller were allowed: open for send/void/mark, else a draft. */
  async function targetFor(owner: Account, route: string): Promise<InvoiceBody> {
    const invoice = await draft(owner);
    return ON_OPEN.has(route) ? finalizeInvoice(sut.http, owner, invoice.id) : invoice;
  }

  describe('roles', () => {
    it('lets a viewer read one invoice and the list', async () => {
      const owner = await signUpOwner(sut.http);
      const viewer = await addMember(sut.http, owner, 'viewer');
      const invoice = await draft(owner);

      expect(await fetchInvoice(viewer, invoice.id)).toEqual(invoice);
      expect((await as(viewer).get('/v1/invoices').expect(200)).body.data).toEqual([invoice]);
    });

    it('lets a member create, edit, finalize and send', async () => {
      const owner = await signUpOwner(sut.http);
      const member = await addMember(sut.http, owner, 'member');

      const invoice = await draft(member);
      await as(member).patch(`/v1/invoices/${invoice.id}`, { notes: 'By a member' }).expect(200);
      await finalizeInvoice(sut.http, member, invoice.id);
      await as(member).post(`/v1/invoices/${invoice.id}/send`).expect(200);

      expect(await fetchInvoice(owner, invoice.id)).toMatchObject({
        status: 'open',
        notes: 'By a member',
        sentAt: expect.stringMatching(ISO_UTC),
      });
    });

    it('lets an admin void and mark uncollectible', async () => {
      const owner = await signUpOwner(sut.http);
      const admin = await addMember(sut.http, owner, 'admin');
      const invoice = await targetFor(owner, 'POST /v1/invoices/:id/void');

      await as(admin).post(`/v1/invoices/${invoice.id}/mark-uncollectible`).expect(200);
      await as(admin).post(`/v1/invoices/${invoice.id}/void`).expect(200);

      expect((await fetchInvoice(owner, invoice.id)).status).toBe('void');
    });

    it('refuses a viewer POST /v1/invoices with 403 insufficient_role, writing nothing', async () => {
      const owner = await signUpOwner(sut.http);
      const viewer = await addMember(sut.http, owner, 'viewer');
      const customer = await createCustomer(sut.http, owner);

      await expectNothingWritten(owner.organizationId, async () => {
        const response = await as(viewer).post('/v1/invoices', {
          customerId: customer.id,
          lineItems: [lineItem()],
        });
        expectProblem(response, 403, 'insufficient_role');
      });
    });

    it.each([
      ...routes(Object.keys(ROUTES).slice(1)).map(([name, send]): [string, string, Send] => [
        'viewer',
        name,
        send,
      ]),
      ...routes([
        'DELETE /v1/invoices/:id',
        'POST /v1/invoices/:id/void',
        'POST /v1/invoices/:id/mark-uncollectible',
      ]).map(([name, send]): [string, string, Send] => ['member', name, send]),
    ])('refuses a %s %s with 403 insufficient_role and changes nothing', async (role, route, send) => {
      const owner = await signUpOwner(sut.http);
      const caller = await addMember(sut.http, owner, role as 'viewer' | 'member');
      const invoice = await targetFor(owner, route);

      await expectNothingWritten(owner.organizationId, async () => {
        expectProblem(await send(as(caller), invoice.id), 403, 'insufficient_role');
      });
      expect(await fetchInvoice(owner, invoice.id)).toEqual(invoice);
    });
  });

  describe("another organization's invoice", () => {
    it.each(routes(Object.keys(ROUTES)))(
      'is 404 invoice_not_found on %s and stays unchanged',
      async (route, send) => {
        const owner = await signUpOwner(sut.http);
        const intruder = await signUpOwner(sut.http, 'Intruder Inc');
        const invoice = await targetFor(owner, route);

        await expectNothingWritten(owner.organizationId, async () => {
          await expectNothingWritten(intruder.organizationId, async () => {
            expectProblem(await send(as(intruder), invoice.id), 404, 'invoice_not_found');
          });
        });
        expect(await fetchInvoice(owner, invoice.id)).toEqual(invoice);
      },
    );

    it('never shows in the intruder’s list', async () => {
      const owner = await signUpOwner(sut.http);
      const intruder = await signUpOwner(sut.http, 'Intruder Inc');
      await draft(owner);
      expect((await as(intruder).get('/v1/invoices').expect(200)).body).toEqual({
        data: [],
        nextCursor: null,
      });
    });
  });

  describe('a path id that is not a UUID', () => {
    it.each(routes(Object.keys(ROUTES)))('is 400 validation_failed on %s', async (_route, send) => {
      const owner = await signUpOwner(sut.http);
      const response = await send(as(owner), 'not-a-uuid');
      expectProblem(response, 400, 'validation_failed');
      expect(response.body.errors).toEqual([{ field: 'id', message: expect.any(String) }]);
    });
  });
});
