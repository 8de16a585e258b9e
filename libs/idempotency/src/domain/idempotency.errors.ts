import { DomainError } from '@taskflow/platform/domain';

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
