import { Actor, DomainError, Role } from '@taskflow/platform/domain';

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
  /** Null for an agent account an admin made without one: it signs in only with API keys. */
  readonly passwordHash: string | null;
  readonly createdAt: Date;
  /** Tokens issued before this instant are refused (revoke-sessions, disable, password reset). */
  readonly sessionsValidAfter: Date | null;
  /**
   * A new random value at every revocation (null before the first). Tokens and families carry
   * the epoch they were minted under, so one minted from a read taken before a revocation's
   * write is refused even when its clock reads later than the revocation's instant.
   */
  readonly sessionEpoch: string | null;
  /**
   * Refresh families revoked for reuse whose access tokens may still be unexpired, by family id,
   * with when: read with the account on every request, so refusing them costs no extra read.
   */
  readonly revokedFamilies: Readonly<Record<string, Date>>;
}

export interface NewAccount {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly email?: string | null;
}

/** A new account: active, with no revocation behind it. */
export function newAccount(
  account: NewAccount,
  passwordHash: string | null,
  now: Date,
): AccountState {
  return {
    id: account.id,
    name: account.name,
    role: account.role,
    email: account.email ?? null,
    status: 'active',
    passwordHash,
    createdAt: now,
    sessionsValidAfter: null,
    sessionEpoch: null,
    revokedFamilies: {},
  };
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

export class AccountForbidden extends DomainError {
  constructor(detail: string) {
    super('AUTH.FORBIDDEN', detail);
  }
}

export function assertPasswordPolicy(password: string): void {
  if (password.length < PASSWORD_MIN_LENGTH) {
    throw new InvalidPassword(`password must be at least ${PASSWORD_MIN_LENGTH} characters`);
  }
  if (exceedsBcryptLimit(password)) {
    throw new InvalidPassword(`password must be at most ${PASSWORD_MAX_BYTES} bytes in UTF-8`);
  }
}

/** bcrypt would compare only the first 72 bytes, so such a password can never be the right one. */
export function exceedsBcryptLimit(password: string): boolean {
  return Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES;
}

/**
 * Whether something issued at `issuedAt` (an access token, a refresh family, a reset token)
 * outlives the account's last revocation. Compared in milliseconds, and a revocation at the same
 * instant wins, so a token minted in the same second as a revocation is still refused.
 */
export function issuedAfterRevocation(account: AccountState, issuedAt: Date): boolean {
  return (
    account.sessionsValidAfter === null || issuedAt.getTime() > account.sessionsValidAfter.getTime()
  );
}

/**
 * When a session opened at `now` starts: after the account's last revocation even if both fall
 * in the same millisecond, since the login has already seen that revocation.
 */
export function sessionStart(account: AccountState, now: Date): Date {
  const revokedAt = account.sessionsValidAfter?.getTime() ?? -Infinity;
  return now.getTime() > revokedAt ? now : new Date(revokedAt + 1);
}

/**
 * Whether credentials minted under `epoch` (and, for an access token, in `familyId`) still stand:
 * no revocation has been written since, and the family was not revoked for reuse.
 */
export function mintedUnderCurrentEpoch(account: AccountState, epoch: string | null): boolean {
  return account.sessionEpoch === epoch;
}

export function familyRevokedOn(account: AccountState, familyId: string | null): boolean {
  return familyId !== null && Object.hasOwn(account.revokedFamilies, familyId);
}

/** Families whose mark can go: revoked before `before`, so every access token of theirs expired. */
export function expiredFamilyMarks(account: AccountState, before: Date): string[] {
  return Object.entries(account.revokedFamilies)
    .filter(([, at]) => at.getTime() < before.getTime())
    .map(([id]) => id);
}

/** A revocation never moves back: two revocations racing keep the later instant. */
export function laterRevocation(current: Date | null, at: Date): Date {
  return current !== null && current.getTime() > at.getTime() ? current : at;
}

export function assertMayRevokeSessions(actor: Actor, accountId: string): void {
  if (actor.role !== 'admin' && actor.id !== accountId) {
    throw new AccountForbidden("Only an admin may revoke another account's sessions");
  }
}

/** Only an admin creates an account without a password, and only an agent: it uses API keys. */
export function assertMayCreatePasswordless(actor: Actor | null, account: NewAccount): void {
  if (actor?.role !== 'admin' || account.role !== 'agent') {
    throw new InvalidPassword(
      'password is required (only an admin may create an agent account without one)',
    );
  }
}

export function assertMayDisable(actor: Actor, accountId: string): void {
  if (actor.role !== 'admin') throw new AccountForbidden('Only an admin may disable an account');
  // The last admin could otherwise lock everyone out; the bootstrap admin is not recreated.
  if (actor.id === accountId) throw new AccountForbidden('An admin may not disable themselves');
}

export function parseAccountStatus(value: unknown): AccountStatus {
  if (value === 'active' || value === 'disabled') return value;
  throw new DomainError('ACCOUNT.CORRUPT', `Unknown account status ${JSON.stringify(value)}`);
}

export function parseRole(value: unknown): Role {
  if (value === 'human' || value === 'agent' || value === 'admin') return value;
  throw new DomainError('ACCOUNT.CORRUPT', `Unknown role ${JSON.stringify(value)}`);
}
