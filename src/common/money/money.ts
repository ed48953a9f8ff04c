import currencyCodes from 'currency-codes';
import { isCurrencyCode } from '../http/currency.js';

/** The largest amount in minor units: what a Postgres bigint and a JSON number both hold exactly. */
export const MAX_AMOUNT = Number.MAX_SAFE_INTEGER;

/**
 * Digits after the decimal point of a currency's minor unit, as ISO 4217 defines them (JPY 0, USD 2,
 * KWD 3, HUF 2). Not Intl's: its digits are CLDR's display digits, which differ for 17 currencies
 * (HUF, IDR, COP, … show 0), and stored amounts must keep the standard's meaning.
 * Throws for a code the API does not accept.
 */
export function currencyExponent(currency: string): number {
  if (!isCurrencyCode(currency)) throw new RangeError(`Unknown ISO 4217 currency code: ${currency}`);
  return currencyCodes.code(currency)!.digits;
}

function assertSafeInteger(amount: number): void {
  if (!Number.isSafeInteger(amount)) {
    throw new RangeError(`Amount must be a safe integer number of minor units, got ${amount}`);
  }
}

/** Exact decimal string of an amount in minor units: (1999, 'USD') → '19.99', (1999, 'JPY') → '1999'. */
export function formatMinorUnits(amount: number, currency: string): string {
  assertSafeInteger(amount);
  const exponent = currencyExponent(currency);
  // A safe integer prints as plain digits (no exponent form below 1e21), so string slicing is exact.
  const digits = String(Math.abs(amount)).padStart(exponent + 1, '0');
  const sign = amount < 0 ? '-' : '';
  if (exponent === 0) return sign + digits;
  return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

const formatters = new Map<string, Intl.NumberFormat>();

/** Human formatting for documents: (1999, 'USD') → '$19.99', (1999, 'JPY') → '¥1,999'. */
export function formatMoney(amount: number, currency: string, locale = 'en-US'): string {
  const exact = formatMinorUnits(amount, currency);
  const key = `${locale}|${currency}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    const digits = currencyExponent(currency);
    formatter = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
    formatters.set(key, formatter);
  }
  // A numeric string keeps every digit; dividing by 10^exponent in floating point would not.
  return formatter.format(exact as `${number}`);
}
