import type { Role } from '@taskflow/platform/domain';

/** What an access token says about its bearer, as issued and as read back once verified. */
export interface AccessTokenClaims {
  readonly accountId: string;
  readonly role: Role;
  /** Millisecond precision, so a revocation in the same second can be told apart. */
  readonly issuedAt: Date;
  /** The account's session epoch the token was minted under. */
  readonly sessionEpoch: string | null;
  /** The refresh family of the session that minted it. */
  readonly familyId: string | null;
}

export interface IssuedAccessToken {
  readonly token: string;
  readonly expiresInSeconds: number;
}

export abstract class AccessTokenIssuer {
  abstract issue(claims: AccessTokenClaims): Promise<IssuedAccessToken>;
}
