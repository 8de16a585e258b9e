import { Injectable } from '@nestjs/common';
import { MemoryUnitOfWork } from '@taskflow/platform';
import {
  ClaimResult,
  IdempotencyRecord,
  IdempotencyStore,
  StoredResponse,
} from '../../ports/idempotency.store';

const SWEEP_EVERY = 1_000;

@Injectable()
export class MemoryIdempotencyStore extends IdempotencyStore {
  private readonly records = new Map<string, IdempotencyRecord>();
  private sinceSweep = 0;

  constructor(private readonly unitOfWork: MemoryUnitOfWork) {
    super();
  }

  async claim(record: IdempotencyRecord, now: Date): Promise<ClaimResult> {
    if (++this.sinceSweep >= SWEEP_EVERY) this.sweep(now);
    const existing = this.records.get(record.scope);
    // Expiry is checked on read; an abandoned in-flight claim may be taken over.
    const live =
      existing &&
      existing.expiresAt > now &&
      (existing.response !== null || existing.lockedUntil > now);
    if (live) return { claimed: false, existing };
    this.records.set(record.scope, record);
    return { claimed: true };
  }

  async complete(scope: string, response: StoredResponse, expiresAt: Date): Promise<void> {
    this.unitOfWork.write({
      check: () => undefined,
      apply: () => {
        const record = this.records.get(scope);
        if (record) this.records.set(scope, { ...record, response, expiresAt });
      },
    });
  }

  async release(scope: string): Promise<void> {
    const record = this.records.get(scope);
    if (record?.response === null) this.records.delete(scope);
  }

  private sweep(now: Date): void {
    this.sinceSweep = 0;
    for (const [scope, record] of this.records) {
      if (record.expiresAt <= now) this.records.delete(scope);
    }
  }
}
