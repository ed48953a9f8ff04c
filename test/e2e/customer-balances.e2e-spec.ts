import { type Account, createCustomer, expectProblem, signUpOwner } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const PAST = { issueDate: '2020-01-01', dueDate: '2020-01-31' };
const FUTURE_DUE = { daysUntilDue: 3650 };

describe('customer balances and deletion', () => {
  let sut: TestApp;
  beforeAll(async () => {
    sut = await startTestApp();
  });
  afterAll(() => sut.close());

  /** An invoice of `unitAmount` in `currency`, taken to `action` ('draft' leaves it a draft). */
  async function invoice(
    owner: Account,
    customerId: string,
    currency: string,
    unitAmount: number,
    action: 'draft' | 'finalize' | 'void' | 'mark-uncollectible',
    dates: object = FUTURE_DUE,
  ): Promise<string> {
    const auth = { Authorization: owner.bearer };
    const lineItems = [{ description: 'Work', quantity: 1, unitAmount }];
    const created = await sut.http
      .post('/v1/invoices')
      .set(auth)
      .send({ customerId, currency, lineItems, ...dates });
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    if (action === 'draft') return id;
    await sut.http.post(`/v1/invoices/${id}/finalize`).set(auth).expect(200);
    if (action !== 'finalize') await sut.http.post(`/v1/invoices/${id}/${action}`).set(auth).expect(200);
    return id;
  }

  const balancesOf = async (owner: Account, customerId: string) =>
    (await sut.http.get(`/v1/customers/${customerId}`).set('Authorization', owner.bearer).expect(200)).body
      .balances;

  it('sums what is outstanding, overdue and paid per currency, over issued invoices only', async () => {
    const owner = await signUpOwner(sut.http);
    const customer = await createCustomer(sut.http, owner);
    await invoice(owner, customer.id, 'USD', 1000, 'finalize');
    await invoice(owner, customer.id, 'USD', 2000, 'finalize', PAST);
    await invoice(owner, customer.id, 'USD', 4000, 'mark-uncollectible');
    await invoice(owner, customer.id, 'USD', 8000, 'void');
    await invoice(owner, customer.id, 'USD', 16000, 'draft');
    const partlyPaid = await invoice(owner, customer.id, 'JPY', 5000, 'finalize');
    // Payments arrive with their own feature; until then a partial payment is set in place.
    await sut.db.query('UPDATE invoices SET amount_paid = 1500, amount_due = 3500 WHERE id = $1', [
      partlyPaid,
    ]);

    expect(await balancesOf(owner, customer.id)).toEqual([
      { currency: 'JPY', outstanding: 3500, overdue: 0, paid: 1500 },
      { currency: 'USD', outstanding: 7000, overdue: 2000, paid: 0 },
    ]);
  });

  it('is empty for a customer with only drafts, and never counts another customer', async () => {
    const owner = await signUpOwner(sut.http);
    const customer = await createCustomer(sut.http, owner);
    const other = await createCustomer(sut.http, owner);
    await invoice(owner, customer.id, 'USD', 1000, 'draft');
    await invoice(owner, other.id, 'USD', 1000, 'finalize');

    expect(await balancesOf(owner, customer.id)).toEqual([]);
  });

  it('refuses to delete a customer with invoices (409 customer_has_invoices) and keeps it', async () => {
    const owner = await signUpOwner(sut.http);
    const customer = await createCustomer(sut.http, owner);
    await invoice(owner, customer.id, 'USD', 1000, 'finalize');

    const response = await sut.http.delete(`/v1/customers/${customer.id}`).set('Authorization', owner.bearer);

    expectProblem(response, 409, 'customer_has_invoices');
    await sut.http.get(`/v1/customers/${customer.id}`).set('Authorization', owner.bearer).expect(200);
  });

  it('refuses it for a customer with only a draft as well', async () => {
    const owner = await signUpOwner(sut.http);
    const customer = await createCustomer(sut.http, owner);
    await invoice(owner, customer.id, 'USD', 1000, 'draft');

    const response = await sut.http.delete(`/v1/customers/${customer.id}`).set('Authorization', owner.bearer);

    expectProblem(response, 409, 'customer_has_invoices');
  });
});
