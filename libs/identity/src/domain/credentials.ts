import { DomainError } from '@taskflow/platform/domain';

/** One answer for an unknown account, a wrong password and a disabled account. */
export class InvalidCredentials extends DomainError {
  constructor() {
    super('AUTH.INVALID_CREDENTIALS', 'The id or the password is not correct');
  }
}
