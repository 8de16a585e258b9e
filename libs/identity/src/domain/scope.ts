import { DomainError } from '@taskflow/platform/domain';

/** An API key without the scope a route needs (DESIGN §11). */
export class InsufficientScope extends DomainError {
  constructor(scope: string) {
    super('AUTH.INSUFFICIENT_SCOPE', `This API key lacks the scope ${scope}`, {
      required_scope: scope,
    });
  }
}

/** Routes that manage credentials or sessions take no API key, whatever its scopes. */
export class SessionRequired extends DomainError {
  constructor() {
    super(
      'AUTH.SESSION_REQUIRED',
      'This route takes a password session (a JWT from POST /auth/login), not an API key',
    );
  }
}
