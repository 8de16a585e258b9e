import { Injectable } from '@nestjs/common';
import { ConcurrencyConflict, MemoryUnitOfWork } from '@taskflow/platform';
import {
  RefreshFamily,
  RefreshToken,
  RefreshTokenAlreadyRotated,
  refreshTokenKey,
} from '../../domain/refresh-token';
import { RefreshTokenRepository } from '../../ports/refresh-token.repository';

/** Keeps the same unique keys a database index would: (family, generation) and hash. */
@Injectable()
export class MemoryRefreshTokenRepository extends RefreshTokenRepository {
  private readonly families = new Map<string, RefreshFamily>();
  private readonly tokens = new Map<string, RefreshToken>();
  private readonly keyByHash = new Map<string, string>();

  constructor(private readonly unitOfWork: MemoryUnitOfWork) {
    super();
  }

  async startFamily(family: RefreshFamily, first: RefreshToken): Promise<void> {
    this.unitOfWork.write({
      check: () => {
        if (this.families.has(family.id))
          throw new ConcurrencyConflict('Refresh family', family.id);
      },
      apply: () => this.families.set(family.id, { ...family }),
    });
    this.insert(first);
  }

  async findByHash(tokenHash: string): Promise<RefreshToken | null> {
    const key = this.keyByHash.get(tokenHash);
    return key === undefined ? null : this.copy(this.tokens.get(key));
  }

  async findGeneration(familyId: string, generation: number): Promise<RefreshToken | null> {
    return this.copy(this.tokens.get(refreshTokenKey(familyId, generation)));
  }

  async findFamily(id: string): Promise<RefreshFamily | null> {
    const family = this.families.get(id);
    return family ? { ...family } : null;
  }

  async insertSuccessor(token: RefreshToken): Promise<void> {
    this.insert(token);
  }

  async revokeFamily(id: string, at: Date): Promise<void> {
    this.unitOfWork.write({
      check: () => undefined,
      apply: () => this.revoke(id, at),
    });
  }

  async revokeFamiliesOf(accountId: string, at: Date): Promise<void> {
    this.unitOfWork.write({
      check: () => undefined,
      apply: () => {
        for (const family of this.families.values()) {
          if (family.accountId === accountId) this.revoke(family.id, at);
        }
      },
    });
  }

  private insert(token: RefreshToken): void {
    const key = refreshTokenKey(token.familyId, token.generation);
    this.unitOfWork.write({
      check: () => {
        if (this.tokens.has(key)) {
          throw new RefreshTokenAlreadyRotated(token.familyId, token.generation);
        }
        if (this.keyByHash.has(token.tokenHash))
          throw new ConcurrencyConflict('Refresh token', key);
      },
      apply: () => {
        this.tokens.set(key, { ...token });
        this.keyByHash.set(token.tokenHash, key);
      },
    });
  }

  private revoke(id: string, at: Date): void {
    const family = this.families.get(id);
    if (family && family.revokedAt === null) this.families.set(id, { ...family, revokedAt: at });
  }

  private copy(token: RefreshToken | undefined): RefreshToken | null {
    return token ? { ...token } : null;
  }
}
