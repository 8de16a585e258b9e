import { ConcurrencyConflict, DomainError } from '@taskflow/platform/domain';

/**
 * One login's chain of refresh tokens. Every rotation adds a generation; reuse of a rotated
 * token revokes the whole family (RFC 9700 §4.14.2).
 */
export interface RefreshFamily {
  readonly id: string;
  readonly accountId: string;
  readonly createdAt: Date;
  readonly revokedAt: Date | null;
  /** The account's session epoch when the family began (see AccountState.sessionEpoch). */
  readonly sessionEpoch: string | null;
}

/** A refresh token as stored: its SHA-256 hash only, never the token. */
export interface RefreshToken {
  readonly familyId: string;
  readonly generation: number;
  readonly accountId: string;
  readonly tokenHash: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
}

/** The unique key that decides a rotation race: one successor per family and generation. */
export const refreshTokenKey = (familyId: string, generation: number): string =>
  `${familyId}:${generation}`;

/** Storage signal: another refresh already inserted this generation. */
export class RefreshTokenAlreadyRotated extends ConcurrencyConflict {
  constructor(familyId: string, generation: number) {
    super('Refresh token', refreshTokenKey(familyId, generation));
  }
}

export class InvalidRefreshToken extends DomainError {
  constructor(detail = 'The refresh token is not valid or has expired; log in again') {
    super('AUTH.INVALID_REFRESH_TOKEN', detail);
  }
}

export class RefreshTokenReused extends InvalidRefreshToken {
  constructor() {
    super('The refresh token was already used; its session has been revoked; log in again');
  }
}

export function isRefreshTokenExpired(token: RefreshToken, now: Date): boolean {
  return now.getTime() >= token.expiresAt.getTime();
}

/**
 * Whether a refresh that lost the rotation race may be answered with the successor that won:
 * only while the winner is fresh (two tabs refreshing at once), never for a replay later on.
 */
export function withinGraceWindow(winner: RefreshToken, now: Date, graceSeconds: number): boolean {
  return now.getTime() - winner.issuedAt.getTime() < graceSeconds * 1000;
}
