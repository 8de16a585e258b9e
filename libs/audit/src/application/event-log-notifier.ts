import { Injectable } from '@nestjs/common';

/**
 * Wakes the readers waiting for new log entries, all at once. Each time entries may have become
 * readable (an append in memory; the horizon passing new entries under Mongo) the generation
 * moves; a reader takes the generation before it reads, so an entry that became readable between
 * its read and its wait is never missed.
 */
@Injectable()
export class EventLogNotifier {
  private current = 0;
  private readonly wakers = new Set<() => void>();
  private readonly listeners = new Set<() => void>();

  generation(): number {
    return this.current;
  }

  /** Something may be readable now: wake every waiter and tell every listener. */
  notify(): void {
    this.current += 1;
    const wakers = [...this.wakers];
    this.wakers.clear();
    for (const wake of wakers) wake();
    for (const listener of this.listeners) listener();
  }

  /** Long-polls waiting now, plus standing listeners (the shared poll runs only while any). */
  get waiting(): number {
    return this.wakers.size + this.listeners.size;
  }

  /** A standing listener (the open streams share one); returns its removal. */
  listen(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Resolves when the generation moves past `seen`, after `timeoutMs`, or when `signal` aborts;
   * true when it moved.
   */
  wait(seen: number, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (this.current !== seen) return Promise.resolve(true);
    if (timeoutMs <= 0 || signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (moved: boolean) => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        signal?.removeEventListener('abort', abort);
        resolve(moved);
      };
      const wake = () => done(true);
      const abort = () => done(false);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.wakers.add(wake);
      signal?.addEventListener('abort', abort, { once: true });
    });
  }
}
