import type pg from 'pg';
import {
  createCustomer,
  createInvoice,
  eventsAbout,
  expectProblem,
  finalizeInvoice,
  lineItem,
} from '../../support/factories.js';
import { all, outcomes, RaceKit, type RaceOrganization, rowsWith, times } from './race-kit.js';

/** INV-000001 … INV-00000n. */
const numbersUpTo = (count: number, prefix = 'INV-') =>
  Array.from({ length: count }, (_, i) => `${prefix}${String(i + 1).padStart(6, '0')}`);

/** The numbers stored for the organization's invoices, in order. */
async function storedNumbers(db: pg.ClientBase, organizationId: string): Promise<string[]> {
  const { rows } = await db.query<{ number: string }>(
    `SELECT number FROM invoices WHERE organization_id = $1 AND number IS NOT NULL ORDER BY number`,
    [organizationId],
  );
  return rows.map((row) => row.number);
}

/** The rows of an organization with `customers`, and `invoices` drafted for them, `issued` of them finalized. */
const drafted = (customers: number, invoices: number, issued: number) =>
  rowsWith({
    customers,
    invoices,
    events: { 'customer.created': customers, 'invoice.created': invoices, 'invoice.finalized': issued },
  });

/**
 * Finalizes racing each other and the draft's deletion, through the API: each invoice issued once, numbers
 * gapless and unique per organization, and each race ends with the organization's ledger clean.
 */
describe('finalize under concurrency: one number each, gapless', () => {
  const kit = new RaceKit();
  let sut: RaceKit['sut'];

  beforeAll(async () => {
    sut = (await kit.start()).sut;
  });
  afterAll(() => kit.close('finalize races'));

  const finalize = (org: RaceOrganization, id: string) => () => org.as.post(`/v1/invoices/${id}/finalize`);

  /** `count` drafts with one line each, for one customer, made at once. */
  async function drafts(
    org: RaceOrganization,
    count: number,
    fields: Record<string, unknown> = {},
  ): Promise<string[]> {
    const customer = await createCustomer(sut.http, org.owner);
    const made = await Promise.all(
      times(count, () => createInvoice(sut.http, org.owner, { customerId: customer.id, ...fields })),
    );
    return made.map((invoice) => invoice.id);
  }

  it('numbers 30 concurrent finalizes INV-000001 to INV-000030, while another organization counts from 1 on its own', async () => {
    const [org, other] = await Promise.all([kit.organization(), kit.organization('Other Inc')]);
    const [mine, theirs] = await Promise.all([drafts(org, 30), drafts(other, 10)]);

    const [ours, others] = await Promise.all([
      all(mine.map((id) => finalize(org, id))),
      all(theirs.map((id) => finalize(other, id))),
    ]);

    expect(outcomes(ours)).toEqual({ '200': 30 });
    expect(outcomes(others)).toEqual({ '200': 10 });
    expect(ours.map((response) => response.body.number).sort()).toEqual(numbersUpTo(30));
    expect(others.map((response) => response.body.number).sort()).toEqual(numbersUpTo(10));
    expect(await storedNumbers(sut.db, org.owner.organizationId)).toEqual(numbersUpTo(30));
    expect(await storedNumbers(sut.db, other.owner.organizationId)).toEqual(numbersUpTo(10));
    expect(await org.rows()).toEqual(drafted(1, 30, 30));
    expect(await other.rows()).toEqual(drafted(1, 10, 10));
    expect(await org.ledger()).toEqual([]);
    expect(await other.ledger()).toEqual([]);
  });

  it('finalizes one draft sent 10 times at once exactly once: one 200, nine 409', async () => {
    const org = await kit.organization();
    const [id, next] = await drafts(org, 2);

    const responses = await all(times(10, () => finalize(org, id)));

    expect(outcomes(responses)).toEqual({ '200': 1, '409 cannot_finalize_invoice': 9 });
    const finalized = (await eventsAbout(sut.db, id)).filter((event) => event.type === 'invoice.finalized');
    expect(finalized).toHaveLength(1);
    expect((await finalizeInvoice(sut.http, org.owner, next)).number).toBe('INV-000002');
    expect(await org.rows()).toEqual(drafted(1, 2, 2));
    expect(await org.ledger()).toEqual([]);
  });

  it('gives the number back when a finalize is refused: the next one leaves no gap', async () => {
    const org = await kit.organization();
    const [first, second] = await drafts(org, 2);
    const [empty] = await drafts(org, 1, { lineItems: [] });
    const [backdated] = await drafts(org, 1, { issueDate: '2026-12-10', dueDate: '2026-12-01' });
    expect((await finalizeInvoice(sut.http, org.owner, first)).number).toBe('INV-000001');

    expectProblem(await finalize(org, empty)(), 422, 'invoice_has_no_lines');
    expectProblem(await finalize(org, backdated)(), 422, 'due_date_before_issue_date');
    expectProblem(await finalize(org, first)(), 409, 'cannot_finalize_invoice');

    expect((await finalizeInvoice(sut.http, org.owner, second)).number).toBe('INV-000002');
  });

  it('keeps the sequence gapless when refused finalizes run among concurrent good ones', async () => {
    const org = await kit.organization();
    const good = await drafts(org, 10);
    const empty = await drafts(org, 5, { lineItems: [] });

    const responses = await all([...good, ...empty].map((id) => finalize(org, id)));

    expect(responses.map((response) => response.status)).toEqual([
      ...good.map(() => 200),
      ...empty.map(() => 422),
    ]);
    expect(await storedNumbers(sut.db, org.owner.organizationId)).toEqual(numbersUpTo(10));
    expect(await org.rows()).toEqual(drafted(2, 15, 10));
    expect(await org.ledger()).toEqual([]);
  });

  it('keeps the sequence when the organization profile is edited during concurrent finalizes', async () => {
    const org = await kit.organization();
    const ids = await drafts(org, 20);

    const responses = await all([
      ...ids.map((id) => finalize(org, id)),
      ...ids.map((_, i) => () => org.as.patch('/v1/organization', { legalName: `Acme ${i} Ltd` })),
    ]);

    expect(outcomes(responses)).toEqual({ '200': 40 });
    expect(await storedNumbers(sut.db, org.owner.organizationId)).toEqual(numbersUpTo(20));
    const [next] = await drafts(org, 1);
    expect((await finalizeInvoice(sut.http, org.owner, next)).number).toBe('INV-000021');
    expect(await org.rows()).toEqual(drafted(2, 21, 21));
    expect(await org.ledger()).toEqual([]);
  });

  it('lets a draft be finalized or deleted, never both, and numbers only the ones issued', async () => {
    const org = await kit.organization();
    const ids = await drafts(org, 8);

    const races = await Promise.all(
      ids.map((id) => Promise.all([finalize(org, id)(), org.as.delete(`/v1/invoices/${id}`)])),
    );

    let issued = 0;
    for (const [finalizing, deleting] of races) {
      if (finalizing.status === 200) {
        issued++;
        expectProblem(deleting, 409, 'cannot_delete_invoice');
      } else {
        expectProblem(finalizing, 404, 'invoice_not_found');
        expect(deleting.status).toBe(204);
      }
    }
    expect(await storedNumbers(sut.db, org.owner.organizationId)).toEqual(numbersUpTo(issued));
    expect(await org.rows()).toEqual(
      rowsWith({
        customers: 1,
        invoices: issued,
        events: {
          'customer.created': 1,
          'invoice.created': 8,
          'invoice.finalized': issued,
          'invoice.deleted': 8 - issued,
        },
      }),
    );
    expect(await org.ledger()).toEqual([]);
  });

  it('drafts an invoice for a customer being deleted, or deletes the customer, never half of each', async () => {
    const org = await kit.organization();
    const customers = await Promise.all(times(8, () => createCustomer(sut.http, org.owner)));

    const races = await Promise.all(
      customers.map(({ id }) =>
        Promise.all([
          org.as.post('/v1/invoices', { customerId: id, lineItems: [lineItem()] }),
          org.as.delete(`/v1/customers/${id}`),
        ]),
      ),
    );

    let drafts = 0;
    for (const [creating, deleting] of races) {
      if (creating.status === 201) {
        drafts++;
        expectProblem(deleting, 409, 'customer_has_invoices');
      } else {
        expectProblem(creating, 404, 'customer_not_found');
        expect(deleting.status).toBe(204);
      }
    }
    expect(await org.rows()).toEqual(
      rowsWith({
        customers: drafts,
        invoices: drafts,
        events: { 'customer.created': 8, 'invoice.created': drafts, 'customer.deleted': 8 - drafts },
      }),
    );
    expect(await org.ledger()).toEqual([]);
  });
});
