import { Injectable } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import { UnitOfWork } from './unit-of-work';

/** One staged write: `check` throws when the write would be stale, `apply` must not throw. */
export interface MemoryWrite {
  check(): void;
  apply(): void;
}

/**
 * Memory repositories stage their writes here while a unit runs; at the end every check runs and
 * then every apply, in one synchronous step, so no other request can interleave and a failed
 * check leaves nothing behind.
 */
@Injectable()
export class MemoryUnitOfWork extends UnitOfWork {
  private readonly current = new AsyncLocalStorage<MemoryWrite[]>();

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.current.getStore()) return work();
    const writes: MemoryWrite[] = [];
    const result = await this.current.run(writes, work);
    for (const write of writes) write.check();
    for (const write of writes) write.apply();
    return result;
  }

  /** Stages a write in the running unit, or applies it at once when none runs. */
  write(write: MemoryWrite): void {
    const writes = this.current.getStore();
    if (writes) {
      writes.push(write);
    } else {
      write.check();
      write.apply();
    }
  }
}
