import { Webhook } from 'standardwebhooks';
import { signatureHeader } from './signature';
import { newSigningSecret } from './webhook';

describe('signatureHeader', () => {
  const id = 'tk_01j9zq3v6w8x0y1z2a3b4c5d6e:1';
  const body = JSON.stringify({ id, type: 'task.created' });

  it('is what the Standard Webhooks reference verifier accepts', () => {
    const secret = newSigningSecret();
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signatureHeader([secret], id, timestamp, body),
    };
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(newSigningSecret()).verify(body, headers)).toThrow();
    expect(() => new Webhook(secret).verify(`${body} `, headers)).toThrow();
  });

  it('matches the specification example', () => {
    // From the Standard Webhooks specification (spec/standard-webhooks.md).
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const header = signatureHeader(
      [secret],
      'msg_p5jXN8AQM9LWM0D4loKWxJek',
      1614265330,
      '{"test": 2432232314}',
    );
    expect(header).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('carries one space-separated value per secret, each verifiable alone', () => {
    const [old, current] = [newSigningSecret(), newSigningSecret()];
    const timestamp = Math.floor(Date.now() / 1000);
    const header = signatureHeader([current, old], id, timestamp, body);
    expect(header.split(' ')).toHaveLength(2);
    for (const secret of [old, current]) {
      const headers = {
        'webhook-id': id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': header,
      };
      expect(new Webhook(secret).verify(body, headers)).toBeTruthy();
    }
  });
});
