import type { ArgumentMetadata, ValidationError } from '@nestjs/common';
import { CreateCustomerDto } from '../../customers/dto/customer.dto.js';
import { DomainError } from '../errors/domain-error.js';
import { createValidationPipe, flattenValidationErrors } from './validation.js';

const error = (property: string, fields: Partial<ValidationError> = {}): ValidationError => ({
  property,
  children: [],
  ...fields,
});

describe('flattenValidationErrors', () => {
  it('gives one entry per failed constraint of a top-level field', () => {
    const sut = flattenValidationErrors([
      error('email', { constraints: { isEmail: 'email must be an email', maxLength: 'email is too long' } }),
      error('name', { constraints: { isString: 'name must be a string' } }),
    ]);

    expect(sut).toEqual([
      { field: 'email', message: 'email must be an email' },
      { field: 'email', message: 'email is too long' },
      { field: 'name', message: 'name must be a string' },
    ]);
  });

  it('joins nested properties into a dotted path', () => {
    const sut = flattenValidationErrors([
      error('address', {
        children: [error('country', { constraints: { isISO31661Alpha2: 'country must be ISO 3166-1' } })],
      }),
    ]);

    expect(sut).toEqual([{ field: 'address.country', message: 'country must be ISO 3166-1' }]);
  });

  it('follows arrays and several levels deep', () => {
    const sut = flattenValidationErrors([
      error('lineItems', {
        children: [
          error('1', {
            children: [
              error('tax', {
                children: [error('rate', { constraints: { max: 'rate must not exceed 100' } })],
              }),
            ],
          }),
        ],
      }),
    ]);

    expect(sut).toEqual([{ field: 'lineItems.1.tax.rate', message: 'rate must not exceed 100' }]);
  });

  it('keeps a parent’s own message beside its children’s', () => {
    const sut = flattenValidationErrors([
      error('address', {
        constraints: { isObject: 'address must be an object' },
        children: [error('city', { constraints: { isString: 'city must be a string' } })],
      }),
    ]);

    expect(sut).toEqual([
      { field: 'address', message: 'address must be an object' },
      { field: 'address.city', message: 'city must be a string' },
    ]);
  });

  it('answers nothing for no errors', () => {
    expect(flattenValidationErrors([])).toEqual([]);
  });
});

describe('createValidationPipe', () => {
  const body: ArgumentMetadata = { type: 'body', metatype: CreateCustomerDto };

  /** The DomainError the pipe throws for `value`. */
  async function refusal(value: unknown): Promise<DomainError> {
    const sut = createValidationPipe();
    const error = await sut.transform(value, body).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }

  it('passes a valid body through as the DTO class', async () => {
    const sut = await createValidationPipe().transform({ name: 'Globex', email: 'ap@globex.test' }, body);
    expect(sut).toBeInstanceOf(CreateCustomerDto);
  });

  it('refuses with validation_failed, naming nested fields by their dotted path', async () => {
    const sut = await refusal({ name: 'Globex', email: 'ap@globex.test', address: { country: 'USA' } });

    expect(sut.code).toBe('validation_failed');
    expect(sut.errors).toEqual([{ field: 'address.country', message: expect.stringContaining('country') }]);
  });

  it('refuses unknown fields, naming each', async () => {
    const sut = await refusal({ name: 'Globex', email: 'ap@globex.test', nickname: 'G' });

    expect(sut.errors).toEqual([{ field: 'nickname', message: 'property nickname should not exist' }]);
  });

  it('takes a request without a body as an empty object, naming each missing field', async () => {
    const sut = await refusal(undefined);

    expect(sut.errors?.map((e) => e.field)).toEqual(expect.arrayContaining(['name', 'email']));
  });

  it('refuses a body nested 100,000 deep with validation_failed instead of overflowing the stack', async () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);

    const sut = await refusal({ name: 'Globex', email: 'ap@globex.test', address: deep });

    expect(sut.code).toBe('validation_failed');
    expect(sut.errors?.[0].field).toMatch(/^address\.0\.0/);
  });

  it('refuses text with a lone surrogate, which Postgres cannot store, naming the field', async () => {
    const sut = await refusal(JSON.parse('{"name": "Globex \\ud800", "email": "ap@globex.test"}'));

    expect(sut.errors).toEqual([{ field: 'name', message: expect.stringMatching(/surrogate/) }]);
  });

  it('puts every message into the detail', async () => {
    const sut = await refusal({ name: 42 });

    for (const { message } of sut.errors ?? []) expect(sut.detail).toContain(message);
    expect(sut.errors?.map((e) => e.field)).toEqual(expect.arrayContaining(['name', 'email']));
  });
});
