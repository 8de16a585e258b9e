import { InvalidIdempotencyKey } from './idempotency.errors';

/**
 * The Idempotency-Key rule (draft-ietf-httpapi-idempotency-key-header), written once: the
 * guard of @Idempotent() applies it and the OpenAPI document states it from here.
 */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/** The methods whose requests a key makes safe to repeat. */
export const IDEMPOTENT_METHODS = ['POST', 'PATCH'] as const;
export type IdempotentMethod = (typeof IDEMPOTENT_METHODS)[number];

/** 1 to 255 printable ASCII characters; as a JSON Schema pattern for generated clients. */
export const IDEMPOTENCY_KEY_PATTERN = '^[\\x20-\\x7e]{1,255}$';
const KEY = new RegExp(IDEMPOTENCY_KEY_PATTERN);

export const isIdempotentMethod = (method: string): method is IdempotentMethod =>
  (IDEMPOTENT_METHODS as readonly string[]).includes(method);

/** The key as sent: a bare value, or an RFC 9651 sf-string as the draft spells it. */
export function parseIdempotencyKey(header: string | string[]): string {
  if (Array.isArray(header)) throw new InvalidIdempotencyKey('must be sent once');
  const quoted = /^"(.*)"$/.exec(header);
  const key = quoted ? quoted[1] : header;
  if (!KEY.test(key))
    throw new InvalidIdempotencyKey('must be 1 to 255 printable ASCII characters');
  return key;
}

/** "24 hours", "90 minutes", "45 seconds": the largest unit that divides the span exactly. */
export function spanInWords(seconds: number): string {
  const [count, unit] =
    seconds % 86_400 === 0 && seconds >= 2 * 86_400
      ? [seconds / 86_400, 'day']
      : seconds % 3_600 === 0
        ? [seconds / 3_600, 'hour']
        : seconds % 60 === 0
          ? [seconds / 60, 'minute']
          : [seconds, 'second'];
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

/** What the header does, for the API's documentation; `ttlSeconds` is IDEMPOTENCY_TTL. */
export const idempotencyKeyDescription = (ttlSeconds: number): string =>
  `Repeat a request safely: the first answer is replayed for ${spanInWords(ttlSeconds)}`;
