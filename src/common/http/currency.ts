import currencyCodes from 'currency-codes';
import { registerDecorator, type ValidationOptions } from 'class-validator';

// ISO 4217 as published (the currency-codes package follows the standard's list), less what this
// runtime's Intl cannot format: precious metals, fund units and test codes are not invoiced.
const FORMATTABLE = new Set(Intl.supportedValuesOf('currency'));
const CURRENCIES = new Set(currencyCodes.codes().filter((code) => FORMATTABLE.has(code)));

export function isCurrencyCode(value: unknown): value is string {
  return typeof value === 'string' && CURRENCIES.has(value);
}

/** The currency codes the API accepts, sorted. */
export function currencyCodesAccepted(): string[] {
  return [...CURRENCIES].sort();
}

/** An ISO 4217 currency code, upper-case (USD, EUR, JPY, KWD). */
export function IsCurrencyCode(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isCurrencyCode',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: `${String(propertyName)} must be an ISO 4217 currency code such as USD`,
        ...options,
      },
      validator: { validate: isCurrencyCode },
    });
}
