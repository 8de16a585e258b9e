import { mongo } from 'mongoose';
import { DomainError } from '../../domain/domain-error';

/** Duplicate key: the insert lost the race for a unique key. */
export function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 11000;
}

/** Client-side errors of the driver that mean "no server to talk to right now", by name. */
const UNREACHABLE = new Set([
  'MongoServerClosedError',
  'MongoClientClosedError',
  'MongoPoolClosedError',
  'MongoWaitQueueTimeoutError',
  'MongoOperationTimeoutError',
  'MongooseServerSelectionError',
]);

/** Server answers that mean it is going away or cannot take writes now (shutdown, step-down). */
const UNAVAILABLE_SERVER_CODES = new Set([91, 189, 10107, 11600, 11602, 13435, 13436]);

/** Driver errors that come from how it was called (a bug of ours), not from the server's state. */
const CALLER_ERRORS = new Set([
  'MongoInvalidArgumentError',
  'MongoParseError',
  'MongoCompatibilityError',
]);

/**
 * The database cannot be reached or stopped answering mid-operation: no server to select, a
 * connection cut, reset or timed out, a reply cut short, the pool cleared or closed, the server
 * or client closed, or the server shutting down. Every error the driver raises on its own side
 * (not a server's answer, not a wrong call) is one of these when the server dies under a
 * request, whatever class it takes; Mongoose wraps a failed first selection in
 * `MongooseServerSelectionError`.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof mongo.MongoServerError) {
    return UNAVAILABLE_SERVER_CODES.has(Number(error.code));
  }
  if (error instanceof mongo.MongoError) return !CALLER_ERRORS.has(error.name);
  return UNREACHABLE.has(error.name);
}

/** The request could not be served because the database is unreachable: 503, retry shortly. */
export class DatabaseUnavailable extends DomainError {
  readonly retryAfterSeconds = 2;

  constructor() {
    super('SERVICE.UNAVAILABLE', 'The database is unavailable; try again shortly');
  }
}
