import fc from 'fast-check';
import { currencyCodesAccepted } from '../http/currency.js';
import { currencyExponent, formatMinorUnits, formatMoney, MAX_AMOUNT } from './money.js';

const CURRENCIES = currencyCodesAccepted();

// Every accepted currency whose ISO 4217 minor unit is not 2 digits. Pinned because stored amounts are
// minor units: a data update that changed one would silently rescale every stored amount.
const NOT_TWO_DIGITS: Record<string, number> = {
  BHD: 3,
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  IQD: 3,
  ISK: 0,
  JOD: 3,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  PYG: 0,
  RWF: 0,
  TND: 3,
  UGX: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XDR: 0,
  XOF: 0,
  XPF: 0,
  XSU: 0,
};

// Non-breaking space, as Intl puts between a currency code and the number.
const NBSP = '\u00a0';

describe('currencyExponent', () => {
  it.each([
    ['JPY', 0],
    ['KRW', 0],
    ['USD', 2],
    ['EUR', 2],
    ['GBP', 2],
    ['KWD', 3],
    ['BHD', 3],
    ['TND', 3],
    // ISO's minor unit, where Intl (CLDR display digits) says 0.
    ['HUF', 2],
    ['IDR', 2],
    ['COP', 2],
  ])('%s has %i digits', (currency, digits) => {
    expect(currencyExponent(currency)).toBe(digits);
  });

  it('matches the pinned table for every accepted currency', () => {
    const actual = Object.fromEntries(CURRENCIES.map((code) => [code, currencyExponent(code)]));
    const expected = Object.fromEntries(CURRENCIES.map((code) => [code, NOT_TWO_DIGITS[code] ?? 2]));
    expect(actual).toEqual(expected);
    expect(Object.keys(NOT_TWO_DIGITS).filter((code) => !CURRENCIES.includes(code))).toEqual([]);
  });

  it.each(['QQQ', 'ABC', 'XXX', 'XAU', 'XTS', 'HRK', 'usd', 'Usd', 'US', 'USDD', '', ' USD'])(
    'throws for %p',
    (code) => {
      expect(() => currencyExponent(code)).toThrow(RangeError);
      expect(() => currencyExponent(code)).toThrow(`Unknown ISO 4217 currency code: ${code}`);
    },
  );
});

describe('MAX_AMOUNT', () => {
  it('is the largest integer a JSON number and a Postgres bigint both hold exactly', () => {
    expect(MAX_AMOUNT).toBe(9007199254740991);
    expect(Number.isSafeInteger(MAX_AMOUNT)).toBe(true);
    expect(Number.isSafeInteger(MAX_AMOUNT + 1)).toBe(false);
    expect(BigInt(MAX_AMOUNT) < 2n ** 63n).toBe(true);
  });
});

describe('formatMinorUnits', () => {
  it.each([
    [1999, 'USD', '19.99'],
    [5, 'USD', '0.05'],
    [50, 'USD', '0.50'],
    [100, 'USD', '1.00'],
    [0, 'USD', '0.00'],
    [-0, 'USD', '0.00'],
    [-5, 'USD', '-0.05'],
    [-1999, 'EUR', '-19.99'],
    [1999, 'JPY', '1999'],
    [0, 'JPY', '0'],
    [-1999, 'JPY', '-1999'],
    [1999, 'KWD', '1.999'],
    [1, 'KWD', '0.001'],
    [1000, 'BHD', '1.000'],
    [-1, 'BHD', '-0.001'],
    [MAX_AMOUNT, 'USD', '90071992547409.91'],
    [MAX_AMOUNT, 'JPY', '9007199254740991'],
    [MAX_AMOUNT, 'KWD', '9007199254740.991'],
    [-MAX_AMOUNT, 'USD', '-90071992547409.91'],
    [9007199254740801, 'USD', '90071992547408.01'],
  ])('(%p, %s) → %s', (amount, currency, expected) => {
    expect(formatMinorUnits(amount, currency)).toBe(expected);
  });

  it.each([1.5, 0.1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, MAX_AMOUNT + 1, 1e300])(
    'throws for the amount %p',
    (amount) => {
      expect(() => formatMinorUnits(amount, 'USD')).toThrow(RangeError);
    },
  );

  it('throws for an unknown currency', () => {
    expect(() => formatMinorUnits(100, 'QQQ')).toThrow('Unknown ISO 4217 currency code: QQQ');
  });

  // 158 currencies × 1,000 runs each: every accepted currency is covered, not just a sample of them.
  it('has exactly the exponent digits after the point and reads back to the same integer, in every currency', () => {
    for (const currency of CURRENCIES) {
      const exponent = currencyExponent(currency);
      const shape = exponent === 0 ? /^-?(0|[1-9]\d*)$/ : new RegExp(`^-?(0|[1-9]\\d*)\\.\\d{${exponent}}$`);
      fc.assert(
        fc.property(fc.maxSafeInteger(), (amount) => {
          const text = formatMinorUnits(amount, currency);
          return shape.test(text) && BigInt(text.replace('.', '')) === BigInt(amount);
        }),
        { numRuns: 1_000 },
      );
    }
  });
});

describe('formatMoney', () => {
  it.each([
    [1999, 'USD', undefined, '$19.99'],
    [5, 'USD', undefined, '$0.05'],
    [-1999, 'USD', undefined, '-$19.99'],
    [0, 'USD', undefined, '$0.00'],
    [199900, 'USD', undefined, '$1,999.00'],
    [1999, 'JPY', undefined, '¥1,999'],
    [1999, 'KWD', undefined, `KWD${NBSP}1.999`],
    [1999, 'EUR', 'de-DE', `19,99${NBSP}€`],
    [123456789, 'EUR', 'fr-FR', `1\u202f234\u202f567,89${NBSP}€`],
    [MAX_AMOUNT, 'USD', undefined, '$90,071,992,547,409.91'],
    // amount / 100 as a float is 90071992547408.015625, which Intl would print as …408.02.
    [9007199254740801, 'USD', undefined, '$90,071,992,547,408.01'],
  ])('(%p, %s, %s) → %s', (amount, currency, locale, expected) => {
    expect(formatMoney(amount, currency, locale)).toBe(expected);
  });

  it('throws for an amount that is not a safe integer or an unknown currency', () => {
    expect(() => formatMoney(19.99, 'USD')).toThrow(RangeError);
    expect(() => formatMoney(1999, 'QQQ')).toThrow(RangeError);
  });
});
