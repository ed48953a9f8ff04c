import { registerDecorator, type ValidationOptions } from 'class-validator';

// ISO 4217 codes this runtime knows (Intl keeps the list current with ICU, not a hand-kept table).
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

export function isCurrencyCode(value: unknown): value is string {
  return typeof value === 'string' && CURRENCIES.has(value);
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
