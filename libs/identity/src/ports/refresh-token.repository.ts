import type { RefreshFamily, RefreshToken } from '../domain/refresh-token';

/**
 * Refresh-token families and their generations. Races are decided by unique keys only (DESIGN §2):
 * a token is unique by (family, generation) and by hash, a family by id.
 */
export abstract class RefreshTokenRepository {
  /** Stores a new family and its generation-0 token. */
  abstract startFamily(family: RefreshFamily, first: RefreshToken): Promise<void>;
  abstract findByHash(tokenHash: string): Promise<RefreshToken | null>;
  abstract findGeneration(familyId: string, generation: number): Promise<RefreshToken | null>;
  abstract findFamily(id: string): Promise<RefreshFamily | null>;
  /**
   * Claims the rotation of generation n-1 by inserting generation n. Fails with
   * RefreshTokenAlreadyRotated when (family, generation) is taken: another refresh won.
   */
  abstract insertSuccessor(token: RefreshToken): Promise<void>;
  /** Marks the family revoked; a family revoked already keeps its first revocation time. */
  abstract revokeFamily(id: string, at: Date): Promise<void>;
  abstract revokeFamiliesOf(accountId: string, at: Date): Promise<void>;
}
