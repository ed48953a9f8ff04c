import { attemptOutcome, failingTooLong, MAX_RETRY_AFTER_SECONDS, parseRetryAfter } from './webhook-retry.js';

const NOW = new Date('2026-11-25T10:00:00Z');
const SCHEDULE = [5, 300, 1800];
const after = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

describe('attemptOutcome', () => {
  it.each([200, 201, 204, 299])('%i succeeds', (statusCode) => {
    expect(attemptOutcome({ statusCode }, 1, SCHEDULE, NOW)).toEqual({ status: 'succeeded' });
  });

  it.each([null, 408, 429, 500, 502, 503, 599])('%p is retried on the schedule', (statusCode) => {
    expect(attemptOutcome({ statusCode }, 1, SCHEDULE, NOW)).toEqual({
      status: 'retry',
      nextAttemptAt: after(5),
    });
    expect(attemptOutcome({ statusCode }, 3, SCHEDULE, NOW)).toEqual({
      status: 'retry',
      nextAttemptAt: after(1800),
    });
  });

  it('fails once the schedule is spent', () => {
    expect(attemptOutcome({ statusCode: 500 }, 4, SCHEDULE, NOW)).toMatchObject({ status: 'failed' });
    expect(attemptOutcome({ statusCode: null }, 1, [], NOW)).toMatchObject({ status: 'failed' });
  });

  it.each([300, 301, 302, 307, 308, 400, 401, 403, 404, 422])('%i fails at once', (statusCode) => {
    expect(attemptOutcome({ statusCode }, 1, SCHEDULE, NOW)).toMatchObject({ status: 'failed' });
  });

  it('410 is gone', () => {
    expect(attemptOutcome({ statusCode: 410 }, 1, SCHEDULE, NOW)).toMatchObject({ status: 'gone' });
  });

  it("honours a 429's Retry-After, in seconds or as a date", () => {
    expect(attemptOutcome({ statusCode: 429, retryAfter: '42' }, 1, SCHEDULE, NOW)).toEqual({
      status: 'retry',
      nextAttemptAt: after(42),
    });
    expect(
      attemptOutcome({ statusCode: 429, retryAfter: after(120).toUTCString() }, 1, SCHEDULE, NOW),
    ).toEqual({ status: 'retry', nextAttemptAt: after(120) });
  });

  it('ignores Retry-After on other statuses and when unreadable', () => {
    expect(attemptOutcome({ statusCode: 503, retryAfter: '42' }, 1, SCHEDULE, NOW)).toEqual({
      status: 'retry',
      nextAttemptAt: after(5),
    });
    expect(attemptOutcome({ statusCode: 429, retryAfter: 'soon' }, 1, SCHEDULE, NOW)).toEqual({
      status: 'retry',
      nextAttemptAt: after(5),
    });
  });
});

describe('parseRetryAfter', () => {
  it('caps a long wait', () => {
    expect(parseRetryAfter('99999999', NOW)).toBe(MAX_RETRY_AFTER_SECONDS);
    expect(parseRetryAfter(new Date(NOW.getTime() + 7 * 86_400_000).toUTCString(), NOW)).toBe(
      MAX_RETRY_AFTER_SECONDS,
    );
  });

  it('reads a past date as now', () => {
    expect(parseRetryAfter(new Date(NOW.getTime() - 60_000).toUTCString(), NOW)).toBe(0);
  });

  it('answers null when absent or unreadable', () => {
    expect(parseRetryAfter(undefined, NOW)).toBeNull();
    expect(parseRetryAfter('', NOW)).toBeNull();
    expect(parseRetryAfter('-5', NOW)).toBeNull();
  });
});

describe('failingTooLong', () => {
  it('disables after five days of failures', () => {
    const day = 86_400_000;
    expect(failingTooLong(null, NOW)).toBe(false);
    expect(failingTooLong(new Date(NOW.getTime() - 4.9 * day), NOW)).toBe(false);
    expect(failingTooLong(new Date(NOW.getTime() - 5 * day), NOW)).toBe(true);
  });
});
