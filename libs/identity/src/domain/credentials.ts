import { DomainError } from '@taskflow/platform/domain';

/** One answer for an unknown account, a wrong password and a disabled account. */
export class InvalidCredentials extends DomainError {
  constructor() {
    super('AUTH.INVALID_CREDENTIALS', 'The id or the password is not correct');
  }
}

/** No credentials, or ones that no longer name an active account or a live session. */
export class Unauthenticated extends DomainError {
  constructor(detail: string) {
    super('AUTH.UNAUTHENTICATED', detail);
  }
}
