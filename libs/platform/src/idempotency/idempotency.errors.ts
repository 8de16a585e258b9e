import { DomainError } from '../domain/domain-error';
import type { StoredResponse } from './idempotency.store';

export class InvalidIdempotencyKey extends DomainError {
  constructor(reason: string) {
    super('REQUEST.IDEMPOTENCY_KEY_INVALID', `Idempotency-Key ${reason}`, {
      errors: [{ field: 'Idempotency-Key', message: reason }],
    });
  }
}

export class IdempotencyKeyReused extends DomainError {
  constructor() {
    super(
      'IDEMPOTENCY.KEY_REUSED',
      'This Idempotency-Key was used with a different request body; use a new key for a new request',
    );
  }
}

export class IdempotencyInFlight extends DomainError {
  readonly retryAfterSeconds = 1;

  constructor() {
    super(
      'IDEMPOTENCY.IN_FLIGHT',
      'A request with this Idempotency-Key is still being processed; retry shortly',
    );
  }
}

/**
 * Not an error: the stored first answer to a repeated request. Thrown so it leaves the handler
 * chain before Nest applies the route's own status code; the global filter sends it as stored.
 */
export class ReplayedResponse {
  constructor(readonly response: StoredResponse) {}
}
