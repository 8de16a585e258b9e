import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { verifyWebhook, WebhookVerificationError, type WebhookRefusal } from './webhooks';

// The reference implementation (standardwebhooks) signs and verifies: it is the oracle.
const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;
const NOW = Date.UTC(2026, 11, 2, 9, 0, 0);

function signed(secrets: string[], body: string, id = 't_1:1', at = NOW) {
  const timestamp = Math.floor(at / 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets
      .map((secret) => new Webhook(secret).sign(id, new Date(at), body))
      .join(' '),
  };
}

const oracle = (secret: string, headers: Record<string, string>, body: string) => {
  const spy = jest.spyOn(Date, 'now').mockReturnValue(NOW);
  try {
    return new Webhook(secret).verify(body, headers);
  } finally {
    spy.mockRestore();
  }
};

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => 'accepted',
    (error: unknown) =>
      error instanceof WebhookVerificationError ? error.reason : `unexpected ${String(error)}`,
  );

const now = () => NOW;

describe('verifyWebhook', () => {
  it('accepts what standardwebhooks signs, for any body, and returns the event', async () => {
    for (let i = 0; i < 50; i++) {
      const secret = newSecret();
      const body = JSON.stringify({
        id: `t_${i}:${i + 1}`,
        text: randomBytes(i * 7).toString('latin1') + ' ünïcødé ✓ 🚀',
      });
      const headers = signed([secret], body, `t_${i}:${i + 1}`);
      expect(oracle(secret, headers, body)).toEqual(JSON.parse(body));
      await expect(verifyWebhook(secret, headers, body, { now })).resolves.toEqual(
        JSON.parse(body),
      );
      // The raw bytes, a fetch Headers and upper-case names do as well.
      const bytes = new TextEncoder().encode(body);
      await expect(verifyWebhook(secret, new Headers(headers), bytes, { now })).resolves.toEqual(
        JSON.parse(body),
      );
      const upper = Object.fromEntries(
        Object.entries(headers).map(([key, value]) => [key.toUpperCase(), value]),
      );
      await expect(verifyWebhook(secret, upper, body, { now })).resolves.toEqual(JSON.parse(body));
    }
  });

  it('refuses, like standardwebhooks, a tampered body, id, timestamp or signature, and a wrong secret', async () => {
    const secret = newSecret();
    const body = '{"id":"t_1:1","type":"task.created"}';
    const headers = signed([secret], body);
    const signature = headers['webhook-signature'];
    const cases: Array<[string, string, Record<string, string>, string]> = [
      ['body', secret, headers, body.replace('created', 'deleted')],
      ['id', secret, { ...headers, 'webhook-id': 't_1:2' }, body],
      ['timestamp', secret, { ...headers, 'webhook-timestamp': String(NOW / 1000 - 1) }, body],
      [
        'signature',
        secret,
        { ...headers, 'webhook-signature': `v1,${btoa('x'.repeat(32))}` },
        body,
      ],
      [
        'version',
        secret,
        { ...headers, 'webhook-signature': signature.replace('v1,', 'v2,') },
        body,
      ],
      ['secret', newSecret(), headers, body],
    ];
    for (const [what, key, given, payload] of cases) {
      expect(() => oracle(key, given, payload)).toThrow();
      expect({ what, reason: await refusal(verifyWebhook(key, given, payload, { now })) }).toEqual({
        what,
        reason: 'no-matching-signature',
      });
    }
  });

  it('holds the timestamp to the tolerance (5 minutes by default, configurable), either way', async () => {
    const secret = newSecret();
    const body = '{}';
    const at = (ms: number) =>
      refusal(verifyWebhook(secret, signed([secret], body), body, { now: () => NOW + ms }));
    expect(await at(300_000)).toBe('accepted');
    expect(await at(301_000)).toBe('timestamp-too-old');
    expect(await at(-301_000)).toBe('timestamp-too-new');
    const lenient = await refusal(
      verifyWebhook(secret, signed([secret], body), body, {
        now: () => NOW + 301_000,
        toleranceSeconds: 600,
      }),
    );
    expect(lenient).toBe('accepted');
    const strict = await refusal(
      verifyWebhook(secret, signed([secret], body), body, {
        now: () => NOW + 11_000,
        toleranceSeconds: 10,
      }),
    );
    expect(strict).toBe<WebhookRefusal>('timestamp-too-old');
  });

  it('takes several secrets (a rotation) and several signatures: any match will do', async () => {
    const [old, current, other] = [newSecret(), newSecret(), newSecret()];
    const body = '{"version":3}';
    const both = signed([old, current], body);
    for (const secrets of [[old], [current], [other, current], [old, other]]) {
      await expect(verifyWebhook(secrets, both, body, { now })).resolves.toEqual({ version: 3 });
    }
    const onlyNew = signed([current], body);
    expect(await refusal(verifyWebhook([old, other], onlyNew, body, { now }))).toBe(
      'no-matching-signature',
    );
  });

  it('says what is wrong with missing headers, a bad timestamp, a bad secret', async () => {
    const secret = newSecret();
    const headers = signed([secret], '{}');
    const withoutId: Record<string, string> = { ...headers };
    delete withoutId['webhook-id'];
    expect(await refusal(verifyWebhook(secret, withoutId, '{}', { now }))).toBe('missing-header');
    expect(
      await refusal(
        verifyWebhook(secret, { ...headers, 'webhook-timestamp': '1e9' }, '{}', { now }),
      ),
    ).toBe('invalid-timestamp');
    expect(await refusal(verifyWebhook('whsec_', headers, '{}', { now }))).toBe('invalid-secret');
    expect(await refusal(verifyWebhook('whsec_%%%', headers, '{}', { now }))).toBe(
      'invalid-secret',
    );
    const notJson = 'not json';
    expect(await refusal(verifyWebhook(secret, signed([secret], notJson), notJson, { now }))).toBe(
      'invalid-body',
    );
  });
});
