import { Injectable } from '@nestjs/common';

/** Set once when shutdown begins; readiness reads it. */
@Injectable()
export class ShutdownState {
  private shuttingDown = false;
  private readonly listeners = new Set<() => void>();

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  begin(): void {
    this.shuttingDown = true;
    for (const listener of this.listeners) listener();
    this.listeners.clear();
  }

  /** Calls `listener` when shutdown begins (long-lived responses end themselves then). */
  onBegin(listener: () => void): () => void {
    if (this.shuttingDown) listener();
    else this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
