import { Decimal } from 'decimal.js';
import { MAX_AMOUNT } from '../common/money/money.js';

/** One invoice line as the client sends it; amounts in minor units, rates in percent (19.6 = 19.6 %). */
export interface LineInput {
  /** > 0, up to 4 decimal places. */
  quantity: number;
  /** Integer minor units, >= 0. */
  unitAmount: number;
  /** 0..100, up to 4 decimal places. */
  discountPercent?: number;
  /** 0..100, up to 4 decimal places. */
  taxRate?: number;
}

export interface LineAmounts {
  amount: number;
  discountAmount: number;
  taxAmount: number;
}

export interface InvoiceTotals {
  subtotal: number;
  discountTotal: number;
  taxTotal: number;
  total: number;
}

export type AmountName = keyof LineAmounts | keyof InvoiceTotals;

/** An amount or total above MAX_AMOUNT minor units (what bigint columns and JSON numbers hold). */
export class AmountOutOfRangeError extends Error {
  constructor(
    readonly amountName: AmountName,
    readonly value: string,
  ) {
    super(`${amountName} would be ${value} minor units, above the maximum of ${MAX_AMOUNT}`);
    this.name = 'AmountOutOfRangeError';
  }
}

// Precision 64 keeps every product exact (inputs have at most 17 significant digits each), so the
// only rounding is the explicit half-up to whole minor units; the default 20 digits would round twice.
const Exact = Decimal.clone({ precision: 64, rounding: Decimal.ROUND_HALF_UP });
type Exact = InstanceType<typeof Exact>;

const HUNDRED = new Exact(100);
const MAX = new Exact(MAX_AMOUNT);

// String(n) is the shortest decimal that reads back as n: 19.6 → '19.6', never 19.60000000000000142…
const exact = (n: number): Exact => new Exact(String(n));

function checkInput(name: keyof LineInput, value: number, min: number, max: number, minExclusive = false) {
  const ok = Number.isFinite(value) && (minExclusive ? value > min : value >= min) && value <= max;
  if (!ok) throw new RangeError(`${name} must be a number ${minExclusive ? '>' : '>='} ${min} and <= ${max}`);
}

function toMinorUnits(name: AmountName, value: Exact): number {
  const rounded = value.toDecimalPlaces(0, Decimal.ROUND_HALF_UP);
  if (rounded.gt(MAX)) throw new AmountOutOfRangeError(name, rounded.toFixed());
  return rounded.toNumber();
}

/** Amounts of one line, each step rounded half-up to whole minor units. */
export function computeLine(line: LineInput): LineAmounts {
  const { quantity, unitAmount, discountPercent = 0, taxRate = 0 } = line;
  checkInput('quantity', quantity, 0, Number.POSITIVE_INFINITY, true);
  checkInput('unitAmount', unitAmount, 0, MAX_AMOUNT);
  if (!Number.isInteger(unitAmount)) throw new RangeError('unitAmount must be an integer');
  checkInput('discountPercent', discountPercent, 0, 100);
  checkInput('taxRate', taxRate, 0, 100);

  const amount = toMinorUnits('amount', exact(quantity).times(exact(unitAmount)));
  const discountAmount = toMinorUnits(
    'discountAmount',
    new Exact(amount).times(exact(discountPercent)).div(HUNDRED),
  );
  const taxAmount = toMinorUnits(
    'taxAmount',
    new Exact(amount - discountAmount).times(exact(taxRate)).div(HUNDRED),
  );
  return { amount, discountAmount, taxAmount };
}

function lineAmount(line: LineAmounts, name: keyof LineAmounts): bigint {
  const value = line[name];
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative safe integer, got ${value}`);
  }
  return BigInt(value);
}

function checkTotal(name: keyof InvoiceTotals, value: bigint): number {
  if (value > BigInt(MAX_AMOUNT)) throw new AmountOutOfRangeError(name, value.toString());
  return Number(value);
}

/** Invoice totals from its lines' amounts: total = subtotal − discountTotal + taxTotal. */
export function computeTotals(lines: readonly LineAmounts[]): InvoiceTotals {
  let subtotal = 0n;
  let discountTotal = 0n;
  let taxTotal = 0n;
  for (const line of lines) {
    const amount = lineAmount(line, 'amount');
    const discountAmount = lineAmount(line, 'discountAmount');
    if (discountAmount > amount) throw new RangeError('discountAmount must not exceed amount');
    subtotal += amount;
    discountTotal += discountAmount;
    taxTotal += lineAmount(line, 'taxAmount');
  }
  return {
    subtotal: checkTotal('subtotal', subtotal),
    discountTotal: checkTotal('discountTotal', discountTotal),
    taxTotal: checkTotal('taxTotal', taxTotal),
    total: checkTotal('total', subtotal - discountTotal + taxTotal),
  };
}
