import { Injectable } from '@nestjs/common';
import { ConcurrencyConflict, MemoryUnitOfWork } from '@taskflow/platform';
import type { ApiKey } from '../../domain/api-key';
import { ApiKeyRepository } from '../../ports/api-key.repository';

@Injectable()
export class MemoryApiKeyRepository extends ApiKeyRepository {
  private readonly keys = new Map<string, ApiKey>();

  constructor(private readonly unitOfWork: MemoryUnitOfWork) {
    super();
  }

  async insert(key: ApiKey): Promise<void> {
    this.unitOfWork.write({
      check: () => {
        if (this.keys.has(key.id)) throw new ConcurrencyConflict('API key', key.id);
      },
      apply: () => this.keys.set(key.id, copy(key)),
    });
  }

  async findById(id: string): Promise<ApiKey | null> {
    const key = this.keys.get(id);
    return key ? copy(key) : null;
  }

  async listForAccount(accountId: string): Promise<ApiKey[]> {
    return [...this.keys.values()]
      .filter((key) => key.accountId === accountId)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1))
      .map(copy);
  }

  async revoke(id: string, at: Date): Promise<boolean> {
    const key = this.keys.get(id);
    if (!key) return false;
    if (key.revokedAt === null) {
      this.unitOfWork.write({
        check: () => undefined,
        apply: () => this.keys.set(id, { ...key, revokedAt: at }),
      });
    }
    return true;
  }

  async touch(id: string, at: Date, resolutionMs: number): Promise<void> {
    const key = this.keys.get(id);
    if (!key) return;
    if (key.lastUsedAt !== null && at.getTime() - key.lastUsedAt.getTime() < resolutionMs) return;
    this.keys.set(id, { ...key, lastUsedAt: at });
  }
}

const copy = (key: ApiKey): ApiKey => ({ ...key, scopes: [...key.scopes] });
