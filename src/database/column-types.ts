import type { ValueTransformer } from 'typeorm';

/**
 * Postgres bigint arrives as a string; money columns are checked to stay within Number.MAX_SAFE_INTEGER,
 * so converting them to a number is exact.
 */
export const bigintNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

/** numeric(p, 4) arrives as a string such as '1.5000'; its shortest number form ('1.5') is exact. */
export const decimalNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

/** Money in minor units: bigint, never negative, never beyond what a JSON number holds exactly. */
export const MONEY_COLUMN = { type: 'bigint', transformer: bigintNumber } as const;
