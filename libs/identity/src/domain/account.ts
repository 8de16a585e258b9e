import { DomainError, Role } from '@taskflow/platform/domain';

export const ACCOUNT_STATUSES = ['active', 'disabled'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

/** Roles a person may give themselves; admins only come from the bootstrap configuration. */
export const SELF_SERVICE_ROLES = ['human', 'agent'] as const;

export const PASSWORD_MIN_LENGTH = 12;
/** bcrypt ignores bytes past 72; longer passwords are refused rather than silently cut. */
export const PASSWORD_MAX_BYTES = 72;

export interface AccountState {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly email: string | null;
  readonly status: AccountStatus;
  readonly passwordHash: string;
  readonly createdAt: Date;
  /** Tokens issued before this instant are refused (revoke-sessions, disable, password reset). */
  readonly sessionsValidAfter: Date | null;
}

export class AccountAlreadyExists extends DomainError {
  constructor(id: string) {
    super('ACCOUNT.ALREADY_EXISTS', `An account with id ${id} already exists`);
  }
}

export class AccountNotFound extends DomainError {
  constructor(id: string) {
    super('ACCOUNT.NOT_FOUND', `Account ${id} does not exist`);
  }
}

export class InvalidPassword extends DomainError {
  constructor(reason: string) {
    super('ACCOUNT.INVALID_PASSWORD', reason, {
      errors: [{ field: 'password', message: reason }],
    });
  }
}

export function assertPasswordPolicy(password: string): void {
  if (password.length < PASSWORD_MIN_LENGTH) {
    throw new InvalidPassword(`password must be at least ${PASSWORD_MIN_LENGTH} characters`);
  }
  if (Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES) {
    throw new InvalidPassword(`password must be at most ${PASSWORD_MAX_BYTES} bytes in UTF-8`);
  }
}

export function parseAccountStatus(value: unknown): AccountStatus {
  if (value === 'active' || value === 'disabled') return value;
  throw new DomainError('ACCOUNT.CORRUPT', `Unknown account status ${JSON.stringify(value)}`);
}

export function parseRole(value: unknown): Role {
  if (value === 'human' || value === 'agent' || value === 'admin') return value;
  throw new DomainError('ACCOUNT.CORRUPT', `Unknown role ${JSON.stringify(value)}`);
}
