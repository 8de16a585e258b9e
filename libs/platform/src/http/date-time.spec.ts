import { isRfc3339DateTime } from './date-time';

describe('isRfc3339DateTime', () => {
  it.each([
    '2024-01-01T00:00:00Z',
    '2024-02-29T23:59:59Z',
    '2024-05-01T11:30:00+02:00',
    '2024-05-01T11:30:00-00:00',
    '2024-05-01T11:30:00.5Z',
    '2024-05-01T11:30:00.123456789+14:00',
    '0001-01-01T00:00:00Z',
    '9999-12-31T23:59:59.999Z',
  ])('accepts %s', (value) => {
    expect(isRfc3339DateTime(value)).toBe(true);
    expect(Number.isNaN(new Date(value).getTime())).toBe(false);
  });

  it.each([
    ['an ISO week date', '2024-W01-1'],
    ['the basic format', '20240101T000000Z'],
    ['a decimal comma', '2024-01-01T10,5Z'],
    ['hours only', '2024-01-01T00Z'],
    ['no offset', '2024-01-01T00:00:00'],
    ['a date alone', '2024-01-01'],
    ['a space for T', '2024-01-01 00:00:00Z'],
    ['February 30', '2024-02-30T00:00:00Z'],
    ['February 29 of a common year', '2023-02-29T00:00:00Z'],
    ['month 13', '2024-13-01T00:00:00Z'],
    ['hour 24', '2024-01-01T24:00:00Z'],
    ['a leap second', '2016-12-31T23:59:60Z'],
    ['an offset of 24 hours', '2024-01-01T00:00:00+24:00'],
    ['an offset without colon', '2024-01-01T00:00:00+0200'],
    ['a six-digit year', '+002024-01-01T00:00:00Z'],
    ['a trailing newline', '2024-01-01T00:00:00Z\n'],
    ['a number', 1704067200000],
  ])('refuses %s', (_, value) => {
    expect(isRfc3339DateTime(value)).toBe(false);
  });
});
