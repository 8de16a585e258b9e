import type { TaskEvent } from './events';

/** Why a delivery was refused. */
export type WebhookRefusal =
  | 'missing-header'
  | 'invalid-timestamp'
  | 'timestamp-too-old'
  | 'timestamp-too-new'
  | 'invalid-secret'
  | 'no-matching-signature'
  | 'invalid-body';

/** Thrown (the promise rejects) by `verifyWebhook` when a delivery must not be trusted. */
export class WebhookVerificationError extends Error {
  constructor(
    readonly reason: WebhookRefusal,
    message: string,
  ) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

/** A fetch `Headers`, or a plain object such as Node's `IncomingHttpHeaders` (any case). */
export type WebhookHeaders =
  Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

export interface VerifyWebhookOptions {
  /** How far `webhook-timestamp` may be from now, either way (default 300 s). */
  readonly toleranceSeconds?: number;
  /** Milliseconds since the epoch (default `Date.now`). */
  readonly now?: () => number;
}

const PREFIX = 'whsec_';

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') {
    return (headers as Headers).get(name) ?? undefined;
  }
  const plain = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  const key = Object.keys(plain).find((each) => each.toLowerCase() === name);
  const value = key === undefined ? undefined : plain[key];
  return typeof value === 'string' ? value : value?.join(' ');
}

function base64Bytes(text: string): Uint8Array<ArrayBuffer> | undefined {
  try {
    return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/**
 * Whether two byte strings are equal, in a time that depends on their length only (which is
 * public: a SHA-256 MAC is 32 bytes). WebCrypto's `verify` does not promise a constant-time
 * comparison in its specification, so the comparison is made here.
 */
function equalInConstantTime(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

/**
 * Verifies a webhook delivery per Standard Webhooks (docs/WEBHOOKS.md) and resolves to its
 * event. `secret` is the endpoint's `whsec_…` secret, or several (during a rotation, or while
 * you switch over): any one that matches any `v1,` signature of `webhook-signature` will do.
 * `body` is the raw request body, exactly as received. The HMAC-SHA256 over
 * `<webhook-id>.<webhook-timestamp>.<body>` is computed with WebCrypto and compared in constant
 * time, and the timestamp must be within `toleranceSeconds` of now. Rejects with a
 * `WebhookVerificationError` (its `reason` says why) otherwise.
 */
export async function verifyWebhook(
  secret: string | readonly string[],
  headers: WebhookHeaders,
  body: string | Uint8Array,
  options: VerifyWebhookOptions = {},
): Promise<TaskEvent> {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) {
    throw new WebhookVerificationError(
      'missing-header',
      'webhook-id, webhook-timestamp and webhook-signature are all required',
    );
  }
  if (!/^\d{1,15}$/.test(timestamp)) {
    throw new WebhookVerificationError(
      'invalid-timestamp',
      'webhook-timestamp is not Unix seconds',
    );
  }
  const tolerance = options.toleranceSeconds ?? 300;
  const skew = Number(timestamp) - (options.now ?? Date.now)() / 1000;
  if (skew < -tolerance) {
    throw new WebhookVerificationError('timestamp-too-old', `signed ${Math.round(-skew)} s ago`);
  }
  if (skew > tolerance) {
    throw new WebhookVerificationError('timestamp-too-new', `signed ${Math.round(skew)} s ahead`);
  }

  const encoder = new TextEncoder();
  const head = encoder.encode(`${id}.${timestamp}.`);
  const payload = typeof body === 'string' ? encoder.encode(body) : body;
  const signed = new Uint8Array(head.length + payload.length);
  signed.set(head);
  signed.set(payload, head.length);
  const given = signatures
    .split(' ')
    .filter((each) => each.startsWith('v1,'))
    .map((each) => base64Bytes(each.slice(3)))
    .filter((each) => each !== undefined);

  for (const each of typeof secret === 'string' ? [secret] : secret) {
    const raw = base64Bytes(each.startsWith(PREFIX) ? each.slice(PREFIX.length) : each);
    if (!raw?.length) {
      throw new WebhookVerificationError('invalid-secret', 'a secret is not whsec_ + base64');
    }
    const key = await crypto.subtle.importKey(
      'raw',
      raw,
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    const expected = new Uint8Array(await crypto.subtle.sign('HMAC', key, signed));
    for (const signature of given) {
      if (equalInConstantTime(expected, signature)) {
        const text = typeof body === 'string' ? body : new TextDecoder().decode(body);
        try {
          return JSON.parse(text) as TaskEvent;
        } catch {
          throw new WebhookVerificationError('invalid-body', 'the signed body is not JSON');
        }
      }
    }
  }
  throw new WebhookVerificationError(
    'no-matching-signature',
    'no v1 signature matches the body, webhook-id and webhook-timestamp',
  );
}
