import { mongo } from 'mongoose';
import { DomainError } from '../../domain/domain-error';

/** Duplicate key: the insert lost the race for a unique key. */
export function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 11000;
}

/**
 * The database cannot be reached: no server to select, a connection cut or timed out, the pool
 * cleared after one was (`PoolClearedError` is a `MongoNetworkError`), or the client closed.
 * Mongoose wraps a failed first selection in its own `MongooseServerSelectionError`.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  return (
    error instanceof mongo.MongoNetworkError ||
    error instanceof mongo.MongoServerSelectionError ||
    error instanceof mongo.MongoNotConnectedError ||
    error instanceof mongo.MongoTopologyClosedError ||
    (error instanceof Error && error.name === 'MongooseServerSelectionError')
  );
}

/** The request could not be served because the database is unreachable: 503, retry shortly. */
export class DatabaseUnavailable extends DomainError {
  readonly retryAfterSeconds = 2;

  constructor() {
    super('SERVICE.UNAVAILABLE', 'The database is unavailable; try again shortly');
  }
}
