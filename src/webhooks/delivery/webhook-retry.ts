/** Longest wait a receiver's Retry-After can impose; beyond it we retry anyway. */
export const MAX_RETRY_AFTER_SECONDS = 24 * 60 * 60;

/** An endpoint failing without a single success for this long is disabled. */
export const FAILING_DISABLE_AFTER_MS = 5 * 24 * 60 * 60 * 1000;

export type AttemptOutcome =
  | { status: 'succeeded' }
  | { status: 'retry'; nextAttemptAt: Date }
  | { status: 'failed'; reason: string }
  /** 410 Gone: the receiver asks us to stop; the delivery fails and the endpoint is disabled. */
  | { status: 'gone'; reason: string };

export interface AttemptResult {
  /** Null when no answer came (timeout, connection refused, address refused). */
  statusCode: number | null;
  retryAfter?: string | null;
}

/** Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), capped; null when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  let seconds: number;
  if (/^\d+$/.test(trimmed)) {
    seconds = Number(trimmed);
  } else {
    // An HTTP date names its day and month; Date.parse alone would take '-5' for a year.
    const date = /[a-z]/i.test(trimmed) ? Date.parse(trimmed) : NaN;
    if (Number.isNaN(date)) return null;
    seconds = Math.max(0, Math.ceil((date - now.getTime()) / 1000));
  }
  return Math.min(seconds, MAX_RETRY_AFTER_SECONDS);
}

/** A 2xx: the only answer that counts as delivered. */
export const isSuccess = (statusCode: number | null): boolean =>
  statusCode !== null && statusCode >= 200 && statusCode < 300;

const isRetryable = (statusCode: number | null) =>
  statusCode === null || statusCode === 408 || statusCode === 429 || statusCode >= 500;

/**
 * What an attempt leads to. `attempts` counts this one; retry n waits schedule[n-1] seconds (or the
 * receiver's Retry-After on a 429), and the delivery fails once the schedule is spent.
 */
export function attemptOutcome(
  result: AttemptResult,
  attempts: number,
  schedule: readonly number[],
  now: Date,
): AttemptOutcome {
  const { statusCode } = result;
  if (isSuccess(statusCode)) return { status: 'succeeded' };
  if (statusCode === 410) return { status: 'gone', reason: 'The endpoint answered 410 Gone' };
  if (!isRetryable(statusCode)) {
    return { status: 'failed', reason: `The endpoint answered ${statusCode}, which is not retried` };
  }
  if (attempts > schedule.length) {
    return { status: 'failed', reason: `No answer in 2xx after ${attempts} attempts` };
  }
  const retryAfter = statusCode === 429 ? parseRetryAfter(result.retryAfter, now) : null;
  const delaySeconds = retryAfter ?? schedule[attempts - 1];
  return { status: 'retry', nextAttemptAt: new Date(now.getTime() + delaySeconds * 1000) };
}

/** Whether an endpoint failing since `failingSince` has failed long enough to be disabled. */
export function failingTooLong(failingSince: Date | null, now: Date): boolean {
  return failingSince !== null && now.getTime() - failingSince.getTime() >= FAILING_DISABLE_AFTER_MS;
}
