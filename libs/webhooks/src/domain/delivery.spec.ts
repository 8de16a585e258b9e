import { MAX_ATTEMPTS, nextAttemptAt, RETRY_DELAYS_MS } from './delivery';
import { rotateSecret, ROTATION_OVERLAP_MS, signingSecrets, WebhookEndpoint } from './webhook';

describe('nextAttemptAt', () => {
  const now = new Date('2026-01-01T00:00:00Z');

  it('retries first after about 5 s, within the jitter', () => {
    const low = nextAttemptAt(1, now, () => 0)!.getTime() - now.getTime();
    const high = nextAttemptAt(1, now, () => 0.999999)!.getTime() - now.getTime();
    expect(low).toBe(4_000);
    expect(high).toBeGreaterThan(5_900);
    expect(high).toBeLessThanOrEqual(6_000);
  });

  it('grows from seconds to minutes to hours over about a day, then stops', () => {
    let total = 0;
    let previous = 0;
    for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
      const delay = nextAttemptAt(attempt, now, () => 0.5)!.getTime() - now.getTime();
      expect(delay).toBeGreaterThanOrEqual(previous);
      previous = delay;
      total += delay;
    }
    expect(total).toBeGreaterThan(20 * 3_600_000);
    expect(total).toBeLessThan(30 * 3_600_000);
    expect(nextAttemptAt(MAX_ATTEMPTS, now)).toBeNull();
    expect(RETRY_DELAYS_MS).toHaveLength(MAX_ATTEMPTS - 1);
  });
});

describe('rotateSecret', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const endpoint: WebhookEndpoint = {
    id: 'wh_1',
    ownerId: 'u_alice',
    url: 'https://example.com/',
    types: null,
    description: null,
    enabled: true,
    disabledReason: null,
    secrets: [{ secret: 'whsec_old', expiresAt: null }],
    failingSince: null,
    createdAt: now,
    updatedAt: now,
  };

  it('signs with the new and the old secret during the overlap, then the new alone', () => {
    const rotated = rotateSecret(endpoint, now);
    const current = rotated.secrets[0].secret;
    expect(current).not.toBe('whsec_old');
    expect(signingSecrets(rotated, now)).toEqual([current, 'whsec_old']);
    const later = new Date(now.getTime() + ROTATION_OVERLAP_MS);
    expect(signingSecrets(rotated, later)).toEqual([current]);
  });

  it('drops secrets whose overlap has ended at the next rotation', () => {
    const once = rotateSecret(endpoint, now);
    const twice = rotateSecret(once, new Date(now.getTime() + ROTATION_OVERLAP_MS + 1));
    expect(twice.secrets.map((each) => each.secret)).toEqual([
      twice.secrets[0].secret,
      once.secrets[0].secret,
    ]);
  });
});
