import { validateSync } from 'class-validator';
import { MAX_AMOUNT } from '../money/money.js';
import {
  decimalPlaces,
  IsDecimalNumber,
  IsMinorUnits,
  isDecimalNumber,
  isMinorUnits,
} from './money-validators.js';

class LineBody {
  @IsMinorUnits()
  unitAmount: unknown = 0;

  @IsMinorUnits({ min: 1 })
  amount: unknown = 1;

  @IsDecimalNumber({ maxPlaces: 4, min: 0, exclusiveMin: true, max: 1_000_000_000 })
  quantity: unknown = 1;

  @IsDecimalNumber({ maxPlaces: 4, min: 0, max: 100 })
  taxRate: unknown = 0;
}

/** Messages of the constraints that failed, by property, for a body with one field changed. */
function errorsFor(field: keyof LineBody, value: unknown): Record<string, string[]> {
  const body = Object.assign(new LineBody(), { [field]: value });
  return Object.fromEntries(
    validateSync(body).map((error) => [error.property, Object.values(error.constraints ?? {})]),
  );
}

const NOT_NUMBERS: [string, unknown][] = [
  ['a string', '1999'],
  ['an empty string', ''],
  ['null', null],
  ['undefined', undefined],
  ['a boolean', true],
  ['an array', [1]],
  ['an object', { value: 1 }],
  ['a bigint', 1999n],
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['-Infinity', Number.NEGATIVE_INFINITY],
];

describe('isMinorUnits', () => {
  it.each([0, 1, 5, 1999, 1e3, 2 ** 52, MAX_AMOUNT - 1, MAX_AMOUNT])('accepts %p', (value) => {
    expect(isMinorUnits(value)).toBe(true);
  });

  it.each<[string, unknown]>([
    ...NOT_NUMBERS,
    ['a fraction', 19.99],
    ['a tiny fraction', 0.5],
    ['a negative integer', -1],
    ['negative MAX', -MAX_AMOUNT],
    ['MAX_AMOUNT + 1', MAX_AMOUNT + 1],
    ['2^53 + 2', 2 ** 53 + 2],
    ['1e300', 1e300],
    ['Number.MAX_VALUE', Number.MAX_VALUE],
  ])('refuses %s', (_, value) => {
    expect(isMinorUnits(value)).toBe(false);
  });

  it('applies min', () => {
    expect(isMinorUnits(0, 1)).toBe(false);
    expect(isMinorUnits(1, 1)).toBe(true);
    expect(isMinorUnits(-5, -10)).toBe(true);
  });
});

describe('@IsMinorUnits', () => {
  it('passes a valid body', () => {
    expect(validateSync(new LineBody())).toEqual([]);
  });

  it.each([0, 1999, MAX_AMOUNT])('accepts unitAmount %p', (value) => {
    expect(errorsFor('unitAmount', value)).toEqual({});
  });

  it.each(['1999', 19.99, Number.NaN, Number.POSITIVE_INFINITY, -1, 1e300, MAX_AMOUNT + 1, null, undefined])(
    'refuses unitAmount %p with a message naming the range',
    (value) => {
      expect(errorsFor('unitAmount', value)).toEqual({
        unitAmount: ['unitAmount must be an integer number of minor units between 0 and 9007199254740991'],
      });
    },
  );

  it('uses min in its check and its message', () => {
    expect(errorsFor('amount', 1)).toEqual({});
    expect(errorsFor('amount', 0)).toEqual({
      amount: ['amount must be an integer number of minor units between 1 and 9007199254740991'],
    });
  });
});

describe('decimalPlaces', () => {
  it.each([
    [0, 0],
    [1, 0],
    [1e21, 0],
    [1.5, 1],
    [19.6, 1],
    [7.25, 2],
    [0.0001, 4],
    [12.3456, 4],
    [0.00001, 5],
    [1e-7, 7],
    [1.5e-7, 8],
    [0.1 + 0.2, 17],
    [-2.75, 2],
  ])('%p has %p', (value, places) => {
    expect(decimalPlaces(value)).toBe(places);
  });
});

describe('isDecimalNumber', () => {
  const rate = { maxPlaces: 4, min: 0, max: 100 };
  const quantity = { maxPlaces: 4, min: 0, max: 1_000_000_000, exclusiveMin: true };

  it.each([0, 0.0001, 1, 7.25, 19.6, 33.3333, 99.9999, 100])('accepts the rate %p', (value) => {
    expect(isDecimalNumber(value, rate)).toBe(true);
  });

  it.each<[string, unknown]>([
    ...NOT_NUMBERS,
    ['a numeric string', '19.6'],
    ['5 decimals', 19.12345],
    ['0.00001', 0.00001],
    ['1e-7 (exponent form)', 1e-7],
    ['0.1 + 0.2', 0.1 + 0.2],
    ['just below min', -0.0001],
    ['just above max', 100.0001],
    ['1e300', 1e300],
  ])('refuses the rate as %s', (_, value) => {
    expect(isDecimalNumber(value, rate)).toBe(false);
  });

  it('refuses min itself only when exclusiveMin', () => {
    expect(isDecimalNumber(0, quantity)).toBe(false);
    expect(isDecimalNumber(0.0001, quantity)).toBe(true);
    expect(isDecimalNumber(0, rate)).toBe(true);
  });

  it.each([1, 0.3333, 1.5, 1_000_000_000])('accepts the quantity %p', (value) => {
    expect(isDecimalNumber(value, quantity)).toBe(true);
  });

  it.each([0, -1, 1_000_000_000.0001, 1e21, 0.33333])('refuses the quantity %p', (value) => {
    expect(isDecimalNumber(value, quantity)).toBe(false);
  });

  it('honours maxPlaces', () => {
    expect(isDecimalNumber(1.25, { maxPlaces: 1, min: 0, max: 10 })).toBe(false);
    expect(isDecimalNumber(1.25, { maxPlaces: 2, min: 0, max: 10 })).toBe(true);
    expect(isDecimalNumber(1.5, { maxPlaces: 0, min: 0, max: 10 })).toBe(false);
  });
});

describe('@IsDecimalNumber', () => {
  it.each([0.0001, 2.5, 1_000_000_000])('accepts quantity %p', (value) => {
    expect(errorsFor('quantity', value)).toEqual({});
  });

  it.each(['1.5', 0, -1, 0.00001, 0.1 + 0.2, Number.NaN, Number.POSITIVE_INFINITY, 1e300, null])(
    'refuses quantity %p with a message naming the range',
    (value) => {
      expect(errorsFor('quantity', value)).toEqual({
        quantity: [
          'quantity must be a number greater than 0 and at most 1000000000 with at most 4 decimal places',
        ],
      });
    },
  );

  it.each([0, 7.25, 19.6, 100])('accepts taxRate %p', (value) => {
    expect(errorsFor('taxRate', value)).toEqual({});
  });

  it.each(['19.6', -0.0001, 100.0001, 19.60001])(
    'refuses taxRate %p with a message naming the range',
    (value) => {
      expect(errorsFor('taxRate', value)).toEqual({
        taxRate: ['taxRate must be a number between 0 and 100 with at most 4 decimal places'],
      });
    },
  );
});
