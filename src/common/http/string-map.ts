import { registerDecorator } from 'class-validator';

export const STRING_MAP_LIMITS = { keys: 50, keyLength: 40, valueLength: 500 };

export function isStringMap(value: unknown): value is Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const entries = Object.entries(value);
  return (
    entries.length <= STRING_MAP_LIMITS.keys &&
    entries.every(
      ([key, item]) =>
        key.length > 0 &&
        key.length <= STRING_MAP_LIMITS.keyLength &&
        typeof item === 'string' &&
        item.length <= STRING_MAP_LIMITS.valueLength,
    )
  );
}

/** `metadata`: up to 50 string keys (40 chars) with string values (500 chars), like Stripe's. */
export function IsStringMap(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isStringMap',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: `${String(propertyName)} must be an object of up to ${STRING_MAP_LIMITS.keys} string values (keys up to ${STRING_MAP_LIMITS.keyLength} characters, values up to ${STRING_MAP_LIMITS.valueLength})`,
      },
      validator: { validate: isStringMap },
    });
}
