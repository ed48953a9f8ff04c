import { addDays, datesAtFinalize, isCalendarDate, isOverdue, todayUtc } from './invoice-dates.js';

describe('invoice dates', () => {
  it('takes today in UTC, whatever the local clock says', () => {
    expect(todayUtc(new Date('2026-11-25T23:59:59-05:00'))).toBe('2026-11-26');
    expect(todayUtc(new Date('2026-11-25T00:00:00Z'))).toBe('2026-11-25');
  });

  it('adds days across months, years and leap days', () => {
    expect(addDays('2026-01-31', 1)).toBe('2026-02-01');
    expect(addDays('2026-12-25', 30)).toBe('2027-01-24');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-01', 0)).toBe('2026-03-01');
  });

  it.each(['2026-11-25', '2028-02-29', '1900-01-01', '2999-12-31'])(
    'accepts the calendar date %s',
    (date) => {
      expect(isCalendarDate(date)).toBe(true);
    },
  );

  it.each([
    '2026-02-30',
    '2026-13-01',
    '2027-02-29',
    '0000-01-01',
    '1899-12-31',
    '3000-01-01',
    '25/11/2026',
    '2026-11-25T00:00:00Z',
    '',
    20261125,
    null,
  ])('refuses %p', (value) => {
    expect(isCalendarDate(value)).toBe(false);
  });

  describe('datesAtFinalize', () => {
    const today = '2026-11-25';
    it('issues today and is due in 30 days by default', () => {
      expect(datesAtFinalize({ issueDate: null, dueDate: null, daysUntilDue: null }, today)).toEqual({
        issueDate: today,
        dueDate: '2026-12-25',
      });
    });
    it('counts daysUntilDue from the issue date set on the draft', () => {
      expect(datesAtFinalize({ issueDate: '2026-11-01', dueDate: null, daysUntilDue: 14 }, today)).toEqual({
        issueDate: '2026-11-01',
        dueDate: '2026-11-15',
      });
    });
    it('keeps an explicit due date, and zero days means due on issue', () => {
      expect(
        datesAtFinalize({ issueDate: null, dueDate: '2027-01-01', daysUntilDue: null }, today).dueDate,
      ).toBe('2027-01-01');
      expect(datesAtFinalize({ issueDate: null, dueDate: null, daysUntilDue: 0 }, today).dueDate).toBe(today);
    });
  });

  it('calls an invoice overdue only when open and past its due date', () => {
    const today = '2026-11-25';
    expect(isOverdue({ status: 'open', dueDate: '2026-11-24' }, today)).toBe(true);
    expect(isOverdue({ status: 'open', dueDate: today }, today)).toBe(false);
    expect(isOverdue({ status: 'uncollectible', dueDate: '2026-11-24' }, today)).toBe(false);
    expect(isOverdue({ status: 'paid', dueDate: '2026-11-24' }, today)).toBe(false);
    expect(isOverdue({ status: 'draft', dueDate: null }, today)).toBe(false);
  });
});
