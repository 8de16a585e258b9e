import { createHash } from 'node:crypto';
import { RequestValidationError } from '@taskflow/platform';
import type { LogPosition } from '../domain/event';

/**
 * A cursor names a stamp of the log and a digest of the entry stored with it, so a changed
 * stamp is caught (no entry there has that digest) without naming the entry: a cursor that
 * passed another account's task tells nothing about it. An empty digest is a bare position (the
 * start, `0.`, or the horizon `after=now` gave), before every entry of that stamp.
 */
export interface EventCursor {
  readonly seq: number;
  readonly digest: string;
}

const SHAPE = /^(0|[1-9]\d{0,15})\.([0-9A-Za-z_-]{16})?$/;

export const digestOf = (entryId: string): string =>
  createHash('sha256').update(entryId).digest('base64url').slice(0, 16);

export const cursorOf = (position: LogPosition): EventCursor => ({
  seq: position.seq,
  digest: position.id === '' ? '' : digestOf(position.id),
});

export function encodeEventCursor(position: LogPosition): string {
  const { seq, digest } = cursorOf(position);
  return Buffer.from(`${seq}.${digest}`, 'utf8').toString('base64url');
}

export const badCursor = (field: string, message: string): RequestValidationError =>
  new RequestValidationError([{ field, message }]);

/** Parses a cursor's shape; whether it names a stored entry is the feed's to check. */
export function decodeEventCursor(text: string, field: string): EventCursor {
  const plain = Buffer.from(text, 'base64url').toString('utf8');
  const match = SHAPE.exec(plain);
  if (
    !match ||
    Buffer.from(plain, 'utf8').toString('base64url') !== text ||
    !Number.isSafeInteger(Number(match[1]))
  ) {
    throw badCursor(
      field,
      `${field} is malformed; use a next_cursor (or an event id:) from the feed`,
    );
  }
  return { seq: Number(match[1]), digest: match[2] ?? '' };
}
