import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { TaskState } from '../domain/task-events';
import { TaskRepository } from '../ports/task.repository';

/** How often an instance looks for tasks other instances made claimable; 0: never. */
export const CLAIM_POLL_MS = Symbol('CLAIM_POLL_MS');
/** The bound with the Mongo driver: a task another instance creates wakes a waiter within it. */
export const MONGO_CLAIM_POLL_MS = 1000;
const POLL_BATCH = 50;

interface Waiter {
  readonly wants: (task: TaskState) => boolean;
  readonly wake: () => void;
}

/** One waiting claim: subscribe before querying, so nothing arriving in between is missed. */
export interface ClaimWait {
  /** Resolves when a task the waiter wants turned claimable, or after `ms`. */
  arrival(ms: number): Promise<void>;
  cancel(): void;
}

/**
 * Wakes waiting `POST /tasks/claim` calls when a task they want turns claimable: in-process
 * on every commit, and, across instances, through one shared poll per instance (not one per
 * waiter) that runs only while someone waits.
 */
@Injectable()
export class ClaimSignal implements OnModuleDestroy {
  private readonly logger = new Logger('ClaimSignal');
  private readonly waiters = new Set<Waiter>();
  private poller: NodeJS.Timeout | null = null;
  private polling = false;

  constructor(
    private readonly tasks: TaskRepository,
    @Inject(CLAIM_POLL_MS) private readonly pollMs: number,
  ) {}

  wait(wants: (task: TaskState) => boolean): ClaimWait {
    let woken = false;
    let resolve: (() => void) | null = null;
    const waiter: Waiter = {
      wants,
      wake: () => {
        woken = true;
        resolve?.();
      },
    };
    this.waiters.add(waiter);
    this.startPolling();
    return {
      arrival: (ms) =>
        new Promise<void>((done) => {
          if (woken) return done();
          const timer = setTimeout(done, ms);
          resolve = () => {
            clearTimeout(timer);
            done();
          };
        }),
      // A cancelled wait is over: `arrival` resolves at once, now or when called later.
      cancel: () => {
        this.waiters.delete(waiter);
        woken = true;
        resolve?.();
        if (this.waiters.size === 0) this.stopPolling();
      },
    };
  }

  /** A task became claimable (created open, released, lease expired): wake who wants it. */
  notify(task: TaskState): void {
    for (const waiter of this.waiters) if (waiter.wants(task)) waiter.wake();
  }

  get waiting(): number {
    return this.waiters.size;
  }

  onModuleDestroy(): void {
    this.stopPolling();
    for (const waiter of this.waiters) waiter.wake();
  }

  private startPolling(): void {
    if (this.pollMs <= 0 || this.poller !== null) return;
    this.poller = setInterval(() => void this.poll(), this.pollMs);
    this.poller.unref();
  }

  private stopPolling(): void {
    if (this.poller !== null) clearInterval(this.poller);
    this.poller = null;
  }

  private async poll(): Promise<void> {
    if (this.polling || this.waiters.size === 0) return;
    this.polling = true;
    try {
      for (const task of await this.tasks.claimableNow(POLL_BATCH)) this.notify(task);
    } catch (error) {
      this.logger.warn(`Polling for claimable tasks failed: ${(error as Error).message}`);
    } finally {
      this.polling = false;
    }
  }
}
