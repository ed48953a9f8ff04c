import { Transform } from 'class-transformer';

/** Account emails are compared case-insensitively: trim and lower-case them before validation. */
export const NormalizeEmail = () =>
  Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value));
