import { parseRole } from '../../domain/account';
import type { AccessTokenClaims } from '../../ports/access-token-issuer';

/**
 * The JWT payload. `iat` has second resolution, so `iat_ms` carries the issue time in
 * milliseconds for the comparison with the account's last revocation. `sep` is the account's
 * session epoch and `fam` the refresh family the token was minted under; absent when null.
 */
export interface AccessTokenPayload {
  readonly sub: string;
  readonly role: string;
  readonly iat: number;
  readonly iat_ms: number;
  readonly sep?: string;
  readonly fam?: string;
}

export function payloadOf(claims: AccessTokenClaims): AccessTokenPayload {
  const ms = claims.issuedAt.getTime();
  return {
    sub: claims.accountId,
    role: claims.role,
    iat: Math.floor(ms / 1000),
    iat_ms: ms,
    ...(claims.sessionEpoch !== null ? { sep: claims.sessionEpoch } : {}),
    ...(claims.familyId !== null ? { fam: claims.familyId } : {}),
  };
}

const optionalString = (value: unknown): string | null | undefined =>
  value === undefined ? null : typeof value === 'string' ? value : undefined;

/** The claims of a verified token, or null when a claim we rely on is missing or malformed. */
export function claimsOf(payload: unknown): AccessTokenClaims | null {
  const p = payload as Partial<Record<keyof AccessTokenPayload | 'exp', unknown>> | null;
  if (
    typeof p?.sub !== 'string' ||
    typeof p.iat_ms !== 'number' ||
    !Number.isSafeInteger(p.iat_ms) ||
    typeof p.exp !== 'number'
  ) {
    return null;
  }
  const sessionEpoch = optionalString(p.sep);
  const familyId = optionalString(p.fam);
  if (sessionEpoch === undefined || familyId === undefined) return null;
  try {
    return {
      accountId: p.sub,
      role: parseRole(p.role),
      issuedAt: new Date(p.iat_ms),
      sessionEpoch,
      familyId,
    };
  } catch {
    return null;
  }
}
