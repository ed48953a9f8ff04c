import { registerDecorator, type ValidationOptions } from 'class-validator';
import { Decimal } from 'decimal.js';
import { MAX_AMOUNT } from '../money/money.js';

/** A JSON number that is a whole number of minor units in [min, MAX_AMOUNT]; strings and floats refused. */
export function isMinorUnits(value: unknown, min = 0): value is number {
  // Safe integers end at MAX_AMOUNT: this also refuses NaN, Infinity, floats and 1e300.
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min;
}

/** An amount in minor units, e.g. `unitAmount: 1999` for 19.99 USD. */
export function IsMinorUnits(
  options: { min?: number } = {},
  validationOptions?: ValidationOptions,
): PropertyDecorator {
  const min = options.min ?? 0;
  return (target, propertyName) =>
    registerDecorator({
      name: 'isMinorUnits',
      target: target.constructor,
      propertyName: propertyName as string,
      constraints: [min],
      options: {
        message: `${String(propertyName)} must be an integer number of minor units between ${min} and ${MAX_AMOUNT}`,
        ...validationOptions,
      },
      validator: { validate: (value: unknown) => isMinorUnits(value, min) },
    });
}

export interface DecimalNumberOptions {
  maxPlaces: number;
  min: number;
  max: number;
  /** Refuse `min` itself (quantity > 0). */
  exclusiveMin?: boolean;
}

/** Decimal places of a number as written in its shortest form: 19.6 → 1, 0.1 + 0.2 → 17, 1e-7 → 7. */
export function decimalPlaces(value: number): number {
  return new Decimal(String(value)).decimalPlaces();
}

/** A finite JSON number (not a string) within bounds, with at most `maxPlaces` decimal places. */
export function isDecimalNumber(value: unknown, options: DecimalNumberOptions): value is number {
  const { maxPlaces, min, max, exclusiveMin = false } = options;
  return (
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (exclusiveMin ? value > min : value >= min) &&
    value <= max &&
    decimalPlaces(value) <= maxPlaces
  );
}

/** A quantity or a percentage such as `taxRate: 19.6`: a number, never a string, with few decimals. */
export function IsDecimalNumber(
  options: DecimalNumberOptions,
  validationOptions?: ValidationOptions,
): PropertyDecorator {
  const { maxPlaces, min, max, exclusiveMin = false } = options;
  const range = exclusiveMin ? `greater than ${min} and at most ${max}` : `between ${min} and ${max}`;
  return (target, propertyName) =>
    registerDecorator({
      name: 'isDecimalNumber',
      target: target.constructor,
      propertyName: propertyName as string,
      constraints: [options],
      options: {
        message: `${String(propertyName)} must be a number ${range} with at most ${maxPlaces} decimal places`,
        ...validationOptions,
      },
      validator: { validate: (value: unknown) => isDecimalNumber(value, options) },
    });
}
