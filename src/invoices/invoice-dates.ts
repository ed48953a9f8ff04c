/** Calendar dates are 'YYYY-MM-DD' strings, in UTC; no time zone ever shifts them. */
export type CalendarDate = string;

export const DEFAULT_DAYS_UNTIL_DUE = 30;

export function todayUtc(now: Date = new Date()): CalendarDate {
  return now.toISOString().slice(0, 10);
}

export function addDays(date: CalendarDate, days: number): CalendarDate {
  const time = Date.parse(`${date}T00:00:00Z`) + days * 86_400_000;
  return new Date(time).toISOString().slice(0, 10);
}

// Invoices live in these years; the bounds keep date + daysUntilDue a four-digit year too.
const FIRST_YEAR = 1900;
const LAST_YEAR = 2999;

/** True for a real calendar date in YYYY-MM-DD form between 1900 and 2999 (rejects 2026-02-30). */
export function isCalendarDate(value: unknown): value is CalendarDate {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const year = Number(value.slice(0, 4));
  if (year < FIRST_YEAR || year > LAST_YEAR) return false;
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(value);
}

/**
 * The dates an invoice is issued with at finalize: the issue date set on the draft or today; the due date
 * set on the draft, or issue date + daysUntilDue (30 when neither was given).
 */
export function datesAtFinalize(
  draft: { issueDate: CalendarDate | null; dueDate: CalendarDate | null; daysUntilDue: number | null },
  today: CalendarDate,
): { issueDate: CalendarDate; dueDate: CalendarDate } {
  const issueDate = draft.issueDate ?? today;
  const dueDate = draft.dueDate ?? addDays(issueDate, draft.daysUntilDue ?? DEFAULT_DAYS_UNTIL_DUE);
  return { issueDate, dueDate };
}

/** Open and past its due date. */
export function isOverdue(
  invoice: { status: string; dueDate: CalendarDate | null },
  today: CalendarDate,
): boolean {
  return invoice.status === 'open' && invoice.dueDate !== null && invoice.dueDate < today;
}
