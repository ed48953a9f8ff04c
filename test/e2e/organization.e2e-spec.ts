import type { Role } from '../../src/common/auth/roles.js';
import { type Account, addMember, expectProblem, signUpOwner } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const fieldsOf = (body: { errors?: { field: string }[] }) => (body.errors ?? []).map((error) => error.field);

const SELLER_PROFILE = {
  name: 'Acme Europe',
  legalName: 'Acme Europe GmbH',
  email: 'billing@acme.test',
  taxId: 'DE123456789',
  address: { line1: 'Hauptstraße 1', city: 'Berlin', postalCode: '10115', country: 'DE' },
  defaultCurrency: 'EUR',
  invoiceNumberPrefix: 'ACME/2025-',
  pdfPageSize: 'Letter',
};

describe('organization', () => {
  let sut: TestApp;
  beforeAll(async () => {
    sut = await startTestApp();
  });
  afterAll(() => sut.close());

  const getOrganization = (account: Account) =>
    sut.http.get('/v1/organization').set('Authorization', account.bearer);
  const patchOrganization = (account: Account, body: object) =>
    sut.http.patch('/v1/organization').set('Authorization', account.bearer).send(body);

  describe('GET /v1/organization', () => {
    it('lets a viewer read the organization', async () => {
      const owner = await signUpOwner(sut.http, 'Viewable Ltd');
      const viewer = await addMember(sut.http, owner, 'viewer');

      const response = await getOrganization(viewer).expect(200);

      expect(response.body).toEqual({
        id: owner.organizationId,
        name: 'Viewable Ltd',
        legalName: null,
        email: null,
        taxId: null,
        address: null,
        defaultCurrency: 'USD',
        invoiceNumberPrefix: 'INV-',
        pdfPageSize: 'A4',
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
    });

    it('needs a token', async () => {
      expectProblem(await sut.http.get('/v1/organization'), 401, 'unauthorized');
    });

    it('shows each caller only their own organization', async () => {
      const alice = await signUpOwner(sut.http, 'Alice Co');
      const bob = await signUpOwner(sut.http, 'Bob Co');
      await patchOrganization(alice, { legalName: 'Alice Company Ltd', taxId: 'A-1' }).expect(200);

      const seenByBob = await getOrganization(bob).expect(200);

      expect(seenByBob.body).toMatchObject({
        id: bob.organizationId,
        name: 'Bob Co',
        legalName: null,
        taxId: null,
      });
      expect(JSON.stringify(seenByBob.body)).not.toContain(alice.organizationId);
      expect((await getOrganization(alice).expect(200)).body).toMatchObject({
        id: alice.organizationId,
        legalName: 'Alice Company Ltd',
      });
    });
  });

  describe('PATCH /v1/organization', () => {
    it('lets an admin update the seller profile, and the change persists', async () => {
      const owner = await signUpOwner(sut.http);
      const admin = await addMember(sut.http, owner, 'admin');

      const response = await patchOrganization(admin, SELLER_PROFILE).expect(200);

      expect(response.body).toMatchObject({ id: owner.organizationId, ...SELLER_PROFILE });
      expect((await getOrganization(owner).expect(200)).body).toMatchObject(SELLER_PROFILE);
    });

    it('changes only the fields sent, and null clears an optional one', async () => {
      const owner = await signUpOwner(sut.http, 'Partial Inc');
      await patchOrganization(owner, SELLER_PROFILE).expect(200);

      await patchOrganization(owner, { legalName: null, address: null, pdfPageSize: 'A4' }).expect(200);

      expect((await getOrganization(owner).expect(200)).body).toMatchObject({
        ...SELLER_PROFILE,
        legalName: null,
        address: null,
        pdfPageSize: 'A4',
      });
    });

    it.each<Role>(['member', 'viewer'])('refuses a %s (403) and changes nothing', async (role) => {
      const owner = await signUpOwner(sut.http, 'Unchanged');
      const caller = await addMember(sut.http, owner, role);

      expectProblem(await patchOrganization(caller, { name: 'Hijacked' }), 403, 'insufficient_role');

      expect((await getOrganization(owner).expect(200)).body.name).toBe('Unchanged');
    });

    it.each([
      ['defaultCurrency', { defaultCurrency: 'usd' }],
      ['defaultCurrency', { defaultCurrency: 'XXX' }],
      ['defaultCurrency', { defaultCurrency: 'EURO' }],
      ['defaultCurrency', { defaultCurrency: null }],
      ['pdfPageSize', { pdfPageSize: 'A5' }],
      ['pdfPageSize', { pdfPageSize: 'a4' }],
      ['invoiceNumberPrefix', { invoiceNumberPrefix: 'INV 2025-' }],
      ['invoiceNumberPrefix', { invoiceNumberPrefix: 'X'.repeat(21) }],
      ['name', { name: null }],
      ['name', { name: '' }],
      ['email', { email: 'not-an-email' }],
      ['address.country', { address: { country: 'Germany' } }],
      ['address.line1', { address: { line1: 42 } }],
      ['plan', { plan: 'enterprise' }],
      ['id', { id: '00000000-0000-7000-8000-000000000000' }],
    ])('refuses a bad %s (400) and changes nothing: %j', async (field, body) => {
      const owner = await signUpOwner(sut.http, 'Untouched');
      const before = (await getOrganization(owner).expect(200)).body;

      const response = await patchOrganization(owner, body);

      expectProblem(response, 400, 'validation_failed');
      expect(fieldsOf(response.body)).toContain(field);
      expect((await getOrganization(owner).expect(200)).body).toEqual(before);
    });

    it('only ever changes the caller’s own organization', async () => {
      const alice = await signUpOwner(sut.http, 'Alice Co');
      const bob = await signUpOwner(sut.http, 'Bob Co');

      await patchOrganization(bob, { name: 'Bob Renamed', defaultCurrency: 'JPY' }).expect(200);

      expect((await getOrganization(alice).expect(200)).body).toMatchObject({
        name: 'Alice Co',
        defaultCurrency: 'USD',
      });
    });
  });
});
