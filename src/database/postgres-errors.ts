import { QueryFailedError } from 'typeorm';

/** True when a unique index on `table` refused a row (SQLSTATE 23505). */
export function isUniqueViolation(error: unknown, table: string): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: string; table?: string };
  return driverError.code === '23505' && driverError.table === table;
}
