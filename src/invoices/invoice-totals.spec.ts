import fc from 'fast-check';
import { formatMinorUnits, MAX_AMOUNT } from '../common/money/money.js';
import {
  AmountOutOfRangeError,
  computeLine,
  computeTotals,
  type LineAmounts,
  type LineInput,
} from './invoice-totals.js';

const MAX = BigInt(MAX_AMOUNT);

/** Half-up division of non-negative integers: floor((2n + d) / 2d). */
const divHalfUp = (n: bigint, d: bigint): bigint => (2n * n + d) / (2n * d);

/**
 * The rules again in integer arithmetic: quantity and rates scaled by 10^4, so
 * amount = q4 × unit / 10^4, discount = amount × d4 / 10^6, tax = (amount − discount) × t4 / 10^6.
 */
function referenceLine(q4: bigint, unitAmount: bigint, d4: bigint, t4: bigint) {
  const amount = divHalfUp(q4 * unitAmount, 10_000n);
  const discountAmount = divHalfUp(amount * d4, 1_000_000n);
  const taxAmount = divHalfUp((amount - discountAmount) * t4, 1_000_000n);
  return { amount, discountAmount, taxAmount };
}

/** The JS number a client sends for scaled / 10^4, built from its decimal text (no float division). */
function fromScaled(scaled: number): number {
  const text = String(scaled).padStart(5, '0');
  return Number(`${text.slice(0, -4)}.${text.slice(-4)}`);
}

// Inputs as integers scaled by 10^4, weighted toward the small values invoices have, with the edges.
const quantity4 = fc.oneof(
  fc.integer({ min: 1, max: 10_000 }),
  fc.integer({ min: 1, max: 100_000_000 }),
  fc.integer({ min: 1, max: 10_000_000_000_000 }),
);
const unitAmount = fc.oneof(
  fc.integer({ min: 0, max: 100_000 }),
  fc.integer({ min: 0, max: 10_000_000_000 }),
  fc.integer({ min: 0, max: MAX_AMOUNT }),
);
const percent4 = fc.oneof(
  fc.constantFrom(0, 5_000, 500_000, 1_000_000),
  fc.integer({ min: 0, max: 1_000_000 }),
);

const lineInput = fc
  .record({ q4: quantity4, unitAmount, d4: percent4, t4: percent4 })
  .map(({ q4, unitAmount, d4, t4 }) => ({
    scaled: { q4, unitAmount, d4, t4 },
    input: {
      quantity: fromScaled(q4),
      unitAmount,
      discountPercent: fromScaled(d4),
      taxRate: fromScaled(t4),
    } satisfies LineInput,
  }));

// Lines small enough that 250 of them stay in range: amount ≤ 10^4 × 10^9, total ≤ 250 × 2 × 10^13.
const pricedLine = fc
  .record({
    q4: fc.integer({ min: 1, max: 100_000_000 }),
    unitAmount: fc.integer({ min: 0, max: 1_000_000_000 }),
    d4: percent4,
    t4: percent4,
  })
  .map(({ q4, unitAmount, d4, t4 }) =>
    computeLine({
      quantity: fromScaled(q4),
      unitAmount,
      discountPercent: fromScaled(d4),
      taxRate: fromScaled(t4),
    }),
  );

// Line amounts of any size, consistent (discount ≤ amount, tax ≤ amount − discount), to push totals over.
const anyLineAmounts = fc
  .tuple(
    fc.maxSafeNat(),
    fc.double({ min: 0, max: 1, noNaN: true }),
    fc.double({ min: 0, max: 1, noNaN: true }),
  )
  .map(([amount, d, t]): LineAmounts => {
    const discountAmount = Math.floor(amount * d);
    return { amount, discountAmount, taxAmount: Math.floor((amount - discountAmount) * t) };
  });

// Inputs whose exact discount or tax lies within 10^-4 of a half unit, where any rounding before the
// final half-up (floats, a too-short Decimal precision) shows: amount × rate4 ≡ residue (mod 10^6).
const MOD = 1_000_000n;
const modPow = (base: bigint, exponent: bigint): bigint => {
  let result = 1n;
  for (let b = base % MOD, e = exponent; e > 0n; e >>= 1n, b = (b * b) % MOD) {
    if (e & 1n) result = (result * b) % MOD;
  }
  return result;
};
const nearTie = fc
  .record({
    // Coprime to 10^6 so it has an inverse: x^(φ(10^6) − 1) with φ(10^6) = 400000.
    rate4: fc.integer({ min: 1, max: 999_999 }).filter((r) => r % 2 !== 0 && r % 5 !== 0),
    residue: fc.integer({ min: 499_900, max: 500_100 }),
    high: fc.integer({ min: 0, max: Math.floor(MAX_AMOUNT / 1_000_000) - 1 }),
    asTax: fc.boolean(),
  })
  .map(({ rate4, residue, high, asTax }) => {
    const low = (BigInt(residue) * modPow(BigInt(rate4), 399_999n)) % MOD;
    const amount = BigInt(high) * MOD + low;
    return { amount, rate4, residue, asTax };
  });

const line = (
  quantity: number,
  unitAmount: number,
  discountPercent?: number,
  taxRate?: number,
): LineInput => ({
  quantity,
  unitAmount,
  ...(discountPercent === undefined ? {} : { discountPercent }),
  ...(taxRate === undefined ? {} : { taxRate }),
});

function outOfRange(fn: () => unknown): AmountOutOfRangeError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AmountOutOfRangeError) return error;
    throw error;
  }
  throw new Error('expected an AmountOutOfRangeError');
}

describe('computeLine', () => {
  describe('amount = quantity × unitAmount, rounded half-up', () => {
    it.each([
      [1, 1999, 1999],
      [3, 1999, 5997],
      [0.3333, 3, 1], // 0.9999
      [0.3333, 1, 0], // 0.3333
      [0.3333, 30000, 9999],
      [0.5, 1, 1], // x.5 rounds up
      [1.5, 1, 2],
      [2.5, 1, 3], // up, not to even
      [0.4999, 1, 0],
      [0.5001, 1, 1],
      [0.0001, 5000, 1], // 0.5
      [0.0001, 4999, 0], // 0.4999
      [0.0001, 1, 0],
      [1.005, 100, 101], // 100.49999999999999 in floats
      [0.285, 100, 29], // 28.499999999999996 in floats
      [12.3456, 789, 9741], // 9740.6784
      [1, 0, 0],
      [1_000_000_000, 0, 0],
    ])('%p × %p = %p', (quantity, unit, expected) => {
      expect(computeLine(line(quantity, unit)).amount).toBe(expected);
    });
  });

  describe('discountAmount = amount × discountPercent / 100, rounded half-up', () => {
    it.each([
      [1000, 12.5, 125],
      [1, 50, 1], // 0.5
      [3, 50, 2], // 1.5
      [5, 50, 3], // 2.5: up, not to even
      [999, 33.3333, 333], // 332.99967
      [1, 49.99, 0], // 0.4999
      [1999, 100, 1999],
      [1999, 0, 0],
      [5000, 0.0001, 0], // 0.005
      [500_000, 0.0001, 1], // 0.5
      [499_999, 0.0001, 0], // 0.499999
      [10_000, 19.6, 1960],
    ])('amount %p at %p %% → %p', (amount, percent, expected) => {
      expect(computeLine(line(1, amount, percent)).discountAmount).toBe(expected);
    });
  });

  describe('taxAmount = (amount − discountAmount) × taxRate / 100, rounded half-up', () => {
    it.each([
      [1000, 0, 7.25, 73], // 72.5
      [1999, 0, 19.6, 392], // 391.804
      [1000, 0, 19.6, 196],
      [5000, 0, 0.0001, 0], // 0.005
      [5_000_000, 0, 0.0001, 5],
      [500_000, 0, 0.0001, 1], // 0.5
      [1999, 0, 0, 0],
      [1999, 0, 100, 1999],
      [1000, 10, 20, 180], // (1000 − 100) × 20 %
      [1999, 100, 20, 0], // nothing left to tax after a 100 % discount
      [999, 33.3333, 7.25, 48], // (999 − 333) × 7.25 % = 48.285
      [2, 25, 50, 1], // discount 0.5 → 1, tax on 1 = 0.5 → 1
    ])('amount %p, discount %p %%, tax %p %% → %p', (amount, discount, tax, expected) => {
      expect(computeLine(line(1, amount, discount, tax)).taxAmount).toBe(expected);
    });
  });

  it('treats a missing discount and tax as 0', () => {
    expect(computeLine({ quantity: 2, unitAmount: 1999 })).toEqual({
      amount: 3998,
      discountAmount: 0,
      taxAmount: 0,
    });
  });

  describe('in the currencies’ own minor units', () => {
    it('JPY: 3 × ¥1,999 at 10 % tax', () => {
      const sut = computeLine(line(3, 1999, 0, 10));
      expect(sut).toEqual({ amount: 5997, discountAmount: 0, taxAmount: 600 }); // 599.7
      expect(formatMinorUnits(sut.taxAmount, 'JPY')).toBe('600');
    });

    it('USD: 1.5 h × $120.00, 10 % off, 7.25 % tax', () => {
      const sut = computeLine(line(1.5, 12000, 10, 7.25));
      expect(sut).toEqual({ amount: 18000, discountAmount: 1800, taxAmount: 1175 }); // 1174.5
      expect(formatMinorUnits(sut.taxAmount, 'USD')).toBe('11.75');
    });

    it('KWD: 2.5 × KWD 1.999 at 5 % tax', () => {
      const sut = computeLine(line(2.5, 1999, 0, 5));
      expect(sut).toEqual({ amount: 4998, discountAmount: 0, taxAmount: 250 }); // 4997.5, 249.9
      expect(formatMinorUnits(sut.amount, 'KWD')).toBe('4.998');
    });

    it('EUR: 0.3333 × €30.00 at 19.6 % VAT', () => {
      expect(computeLine(line(0.3333, 3000, 0, 19.6))).toEqual({
        amount: 1000, // 999.9
        discountAmount: 0,
        taxAmount: 196,
      });
    });
  });

  describe('near MAX_AMOUNT', () => {
    it('accepts an amount of exactly MAX_AMOUNT', () => {
      expect(computeLine(line(1, MAX_AMOUNT, 0, 100))).toEqual({
        amount: MAX_AMOUNT,
        discountAmount: 0,
        taxAmount: MAX_AMOUNT,
      });
    });

    it('computes exactly where floats cannot: 0.9999 × MAX_AMOUNT at 19.6 % discount and tax', () => {
      // 9006298534815516.9009 → …517; × 19.6 % = 1765234512823841.3332 → …841;
      // (9006298534815517 − 1765234512823841) × 19.6 % = 1419248548310368.496 → …368.
      expect(computeLine(line(0.9999, MAX_AMOUNT, 19.6, 19.6))).toEqual({
        amount: 9006298534815517,
        discountAmount: 1765234512823841,
        taxAmount: 1419248548310368,
      });
    });

    it('rounds a discount of 1112001798391850.499992 down, where 20 significant digits would round it up', () => {
      expect(computeLine(line(1, 9007199254735256, 12.3457, 12.3457))).toEqual({
        amount: 9007199254735256,
        discountAmount: 1112001798391850, // 9007199254735256 × 12.3457 % = 1112001798391850.499992…
        taxAmount: 974717392367788, // 7895197456343406 × 12.3457 % = 974717392367787.874542…
      });
    });

    it('accepts 1.5 × 6004799503160660 = MAX_AMOUNT − 1', () => {
      expect(computeLine(line(1.5, 6004799503160660)).amount).toBe(MAX_AMOUNT - 1);
    });

    it('refuses 1.5 × 6004799503160661, whose .5 rounds up to MAX_AMOUNT + 1', () => {
      const error = outOfRange(() => computeLine(line(1.5, 6004799503160661)));
      expect(error.amountName).toBe('amount');
      expect(error.message).toBe(
        'amount would be 9007199254740992 minor units, above the maximum of 9007199254740991',
      );
    });

    it.each([
      [1.0001, MAX_AMOUNT],
      [2, MAX_AMOUNT],
      [1_000_000_000, 10_000_000],
      [1e300, 1],
    ])('refuses %p × %p', (quantity, unit) => {
      expect(outOfRange(() => computeLine(line(quantity, unit))).amountName).toBe('amount');
    });
  });

  describe('refuses input outside its contract', () => {
    it.each<[string, LineInput]>([
      ['quantity 0', line(0, 100)],
      ['negative quantity', line(-1, 100)],
      ['NaN quantity', line(Number.NaN, 100)],
      ['infinite quantity', line(Number.POSITIVE_INFINITY, 100)],
      ['negative unitAmount', line(1, -1)],
      ['fractional unitAmount', line(1, 19.99)],
      ['unitAmount above MAX_AMOUNT', line(1, MAX_AMOUNT + 1)],
      ['NaN unitAmount', line(1, Number.NaN)],
      ['negative discount', line(1, 100, -0.0001)],
      ['discount above 100', line(1, 100, 100.0001)],
      ['NaN discount', line(1, 100, Number.NaN)],
      ['negative tax', line(1, 100, 0, -1)],
      ['tax above 100', line(1, 100, 0, 101)],
      ['infinite tax', line(1, 100, 0, Number.POSITIVE_INFINITY)],
    ])('%s', (_, input) => {
      expect(() => computeLine(input)).toThrow(RangeError);
    });
  });

  describe('properties', () => {
    it('matches an integer (BigInt) reference of half-up rounding, including when out of range', () => {
      fc.assert(
        fc.property(lineInput, ({ scaled, input }) => {
          const expected = referenceLine(
            BigInt(scaled.q4),
            BigInt(scaled.unitAmount),
            BigInt(scaled.d4),
            BigInt(scaled.t4),
          );
          if (expected.amount > MAX) {
            expect(outOfRange(() => computeLine(input)).amountName).toBe('amount');
          } else {
            const sut = computeLine(input);
            expect(sut).toEqual({
              amount: Number(expected.amount),
              discountAmount: Number(expected.discountAmount),
              taxAmount: Number(expected.taxAmount),
            });
          }
        }),
        { numRuns: 10_000 },
      );
    });

    it('rounds exactly at near-ties, a hair either side of .5 (or on it)', () => {
      fc.assert(
        fc.property(nearTie, ({ amount, rate4, residue, asTax }) => {
          const rate = fromScaled(rate4);
          const sut = computeLine({
            quantity: 1,
            unitAmount: Number(amount),
            ...(asTax ? { taxRate: rate } : { discountPercent: rate }),
          });
          const exactTimes10e6 = amount * BigInt(rate4);
          expect(exactTimes10e6 % MOD).toBe(BigInt(residue));
          const expected = Number(divHalfUp(exactTimes10e6, MOD));
          expect(asTax ? sut.taxAmount : sut.discountAmount).toBe(expected);
        }),
        { numRuns: 10_000 },
      );
    });

    it('gives safe integers with 0 ≤ discountAmount ≤ amount and 0 ≤ taxAmount ≤ amount − discountAmount', () => {
      fc.assert(
        fc.property(lineInput, ({ input }) => {
          let sut: LineAmounts;
          try {
            sut = computeLine(input);
          } catch (error) {
            return error instanceof AmountOutOfRangeError;
          }
          const { amount, discountAmount, taxAmount } = sut;
          return (
            [amount, discountAmount, taxAmount].every((value) => Number.isSafeInteger(value) && value >= 0) &&
            discountAmount <= amount &&
            taxAmount <= amount - discountAmount &&
            amount <= MAX_AMOUNT
          );
        }),
        { numRuns: 10_000 },
      );
    });
  });
});

describe('computeTotals', () => {
  it('is all zeros for no lines', () => {
    expect(computeTotals([])).toEqual({ subtotal: 0, discountTotal: 0, taxTotal: 0, total: 0 });
  });

  it('sums the lines and computes total = subtotal − discountTotal + taxTotal', () => {
    const lines = [
      computeLine(line(1.5, 12000, 10, 7.25)), // 18000, 1800, 1175
      computeLine(line(3, 1999, 0, 19.6)), // 5997, 0, 1175.412 → 1175
      computeLine(line(0.3333, 3, 100, 20)), // 1, 1, 0
    ];
    expect(computeTotals(lines)).toEqual({
      subtotal: 23998,
      discountTotal: 1801,
      taxTotal: 2350,
      total: 24547,
    });
  });

  it('rounds per line, not on the sum: three lines of 0.5 are 3, not round(1.5) = 2', () => {
    const lines = [1, 2, 3].map(() => computeLine(line(0.5, 1)));
    expect(computeTotals(lines).subtotal).toBe(3);
  });

  it('is zero for a fully discounted invoice whatever its tax', () => {
    expect(computeTotals([computeLine(line(2, 1999, 100, 20))])).toEqual({
      subtotal: 3998,
      discountTotal: 3998,
      taxTotal: 0,
      total: 0,
    });
  });

  it('accepts totals of exactly MAX_AMOUNT', () => {
    const half = (MAX_AMOUNT - 1) / 2;
    expect(
      computeTotals([
        { amount: half, discountAmount: 0, taxAmount: 0 },
        { amount: half + 1, discountAmount: 0, taxAmount: 0 },
      ]),
    ).toEqual({ subtotal: MAX_AMOUNT, discountTotal: 0, taxTotal: 0, total: MAX_AMOUNT });
  });

  it('refuses a subtotal one above MAX_AMOUNT', () => {
    const half = (MAX_AMOUNT + 1) / 2;
    const error = outOfRange(() =>
      computeTotals([
        { amount: half, discountAmount: 0, taxAmount: 0 },
        { amount: half, discountAmount: 0, taxAmount: 0 },
      ]),
    );
    expect(error.amountName).toBe('subtotal');
    expect(error.message).toBe(
      'subtotal would be 9007199254740992 minor units, above the maximum of 9007199254740991',
    );
  });

  it('refuses a total pushed above MAX_AMOUNT by tax', () => {
    const error = outOfRange(() => computeTotals([{ amount: MAX_AMOUNT, discountAmount: 0, taxAmount: 1 }]));
    expect(error.amountName).toBe('total');
    expect(error.message).toContain('total would be 9007199254740992 minor units');
  });

  it('accepts a total back within range after discounts', () => {
    expect(computeTotals([{ amount: MAX_AMOUNT, discountAmount: 1, taxAmount: 1 }]).total).toBe(MAX_AMOUNT);
  });

  it.each<[string, LineAmounts]>([
    ['a fractional amount', { amount: 1.5, discountAmount: 0, taxAmount: 0 }],
    ['a negative amount', { amount: -1, discountAmount: 0, taxAmount: 0 }],
    ['an unsafe amount', { amount: MAX_AMOUNT + 1, discountAmount: 0, taxAmount: 0 }],
    ['a NaN discount', { amount: 1, discountAmount: Number.NaN, taxAmount: 0 }],
    ['a discount above the amount', { amount: 1, discountAmount: 2, taxAmount: 0 }],
    ['a negative tax', { amount: 1, discountAmount: 0, taxAmount: -1 }],
  ])('refuses %s', (_, amounts) => {
    expect(() => computeTotals([amounts])).toThrow(RangeError);
  });

  describe('properties', () => {
    it('equals the sums of its parts, and total = subtotal − discountTotal + taxTotal', () => {
      fc.assert(
        fc.property(fc.array(pricedLine, { maxLength: 250 }), (lines) => {
          const sum = (key: keyof LineAmounts) => lines.reduce((acc, l) => acc + BigInt(l[key]), 0n);
          const sut = computeTotals(lines);
          expect(sut).toEqual({
            subtotal: Number(sum('amount')),
            discountTotal: Number(sum('discountAmount')),
            taxTotal: Number(sum('taxAmount')),
            total: Number(sum('amount') - sum('discountAmount') + sum('taxAmount')),
          });
        }),
        { numRuns: 10_000 },
      );
    });

    it('gives safe integers, or throws AmountOutOfRangeError exactly when a BigInt sum exceeds MAX_AMOUNT', () => {
      fc.assert(
        fc.property(fc.array(anyLineAmounts, { maxLength: 4 }), (lines) => {
          const sum = (key: keyof LineAmounts) => lines.reduce((acc, l) => acc + BigInt(l[key]), 0n);
          const subtotal = sum('amount');
          const total = subtotal - sum('discountAmount') + sum('taxAmount');
          const tooBig = subtotal > MAX ? 'subtotal' : total > MAX ? 'total' : undefined;
          if (tooBig) {
            expect(outOfRange(() => computeTotals(lines)).amountName).toBe(tooBig);
          } else {
            const sut = computeTotals(lines);
            expect(Object.values(sut).every((value) => Number.isSafeInteger(value) && value >= 0)).toBe(true);
            expect(sut.total).toBe(Number(total));
          }
        }),
        { numRuns: 10_000 },
      );
    });

    it('does not depend on the order of the lines', () => {
      const linesAndShuffle = fc
        .array(fc.oneof(pricedLine, anyLineAmounts), { maxLength: 20 })
        .chain((lines) =>
          fc.tuple(
            fc.constant(lines),
            fc.shuffledSubarray(lines, { minLength: lines.length, maxLength: lines.length }),
          ),
        );
      const outcome = (lines: LineAmounts[]) => {
        try {
          return computeTotals(lines);
        } catch (error) {
          return error instanceof AmountOutOfRangeError ? error.message : error;
        }
      };
      fc.assert(
        fc.property(linesAndShuffle, ([lines, shuffled]) => {
          expect(outcome(shuffled)).toEqual(outcome(lines));
        }),
        { numRuns: 10_000 },
      );
    });
  });
});
