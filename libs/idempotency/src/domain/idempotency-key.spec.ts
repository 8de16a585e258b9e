import { InvalidIdempotencyKey } from './idempotency.errors';
import {
  IDEMPOTENCY_KEY_PATTERN,
  isIdempotentMethod,
  parseIdempotencyKey,
  spanInWords,
} from './idempotency-key';

describe('parseIdempotencyKey', () => {
  it('takes a bare key or an RFC 9651 string', () => {
    expect(parseIdempotencyKey('abc-123')).toBe('abc-123');
    expect(parseIdempotencyKey('"abc 123"')).toBe('abc 123');
  });

  it.each([
    ['empty', ''],
    ['too long', 'k'.repeat(256)],
    ['not ASCII', 'clé'],
    ['a control character', 'a\tb'],
  ])('refuses a key that is %s', (_what, key) => {
    expect(() => parseIdempotencyKey(key)).toThrow(InvalidIdempotencyKey);
  });

  it('refuses a key sent twice', () => {
    expect(() => parseIdempotencyKey(['a', 'b'])).toThrow('must be sent once');
  });

  it('agrees with the pattern the OpenAPI document publishes', () => {
    const pattern = new RegExp(IDEMPOTENCY_KEY_PATTERN);
    for (const key of ['a', 'k'.repeat(255), 'k'.repeat(256), '', 'é', ' ~']) {
      const accepted = (() => {
        try {
          parseIdempotencyKey(key);
          return true;
        } catch {
          return false;
        }
      })();
      expect({ key, accepted }).toEqual({ key, accepted: pattern.test(key) });
    }
  });
});

describe('isIdempotentMethod', () => {
  it('holds for POST and PATCH only', () => {
    expect(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter(isIdempotentMethod)).toEqual([
      'POST',
      'PATCH',
    ]);
  });
});

describe('spanInWords', () => {
  it.each([
    [86_400, '24 hours'],
    [3_600, '1 hour'],
    [5_400, '90 minutes'],
    [172_800, '2 days'],
    [45, '45 seconds'],
    [1, '1 second'],
  ])('says %i seconds as "%s"', (seconds, words) => {
    expect(spanInWords(seconds)).toBe(words);
  });
});
