import { getModelToken } from '@nestjs/mongoose';
import { AuditLogRepository, CollaborationRecordRepository } from '@taskflow/audit';
import { TaskRepository } from '@taskflow/tasks';
import type { TestApp } from './test-app';

export class InjectedFault extends Error {
  constructor(readonly write: string) {
    super(`injected fault on ${write}`);
  }
}

/**
 * Wraps the app's repository adapters so that, while armed, the n-th write fails as if the
 * process died there. The services hold the same instances, so they see the wrapped methods.
 */
export class WriteFaults {
  private armedAt: number | null = null;
  private count = 0;
  readonly writes: string[] = [];

  constructor(t: TestApp) {
    const get = <T>(token: abstract new (...args: never[]) => T): T =>
      t.app.get(token, { strict: false });
    this.wrap(get(AuditLogRepository), 'append');
    this.wrap(get(CollaborationRecordRepository), 'add');
    this.wrap(get(TaskRepository), 'insert');
    this.wrap(get(TaskRepository), 'save');
  }

  /** Fails the n-th write from now on (1-based); `null` only counts. */
  arm(n: number | null): void {
    this.armedAt = n;
    this.count = 0;
    this.writes.length = 0;
  }

  private wrap<T extends object>(target: T, method: keyof T & string): void {
    const original = (target[method] as (...args: unknown[]) => Promise<unknown>).bind(target);
    (target as Record<string, unknown>)[method] = async (...args: unknown[]) => {
      this.count += 1;
      const name = `${target.constructor.name}.${method}`;
      this.writes.push(name);
      if (this.count === this.armedAt) {
        this.armedAt = null;
        throw new InjectedFault(name);
      }
      return original(...args);
    };
  }
}

/**
 * Holds some audit-entry inserts back between their stamp and the database (Mongo only), as a
 * slow network or a busy server would, so entries land out of stamp order: what the event
 * log's horizon exists for (docs/EVENTS.md). Every `every`-th insert waits 20–80 ms.
 */
export class SlowAuditInserts {
  private count = 0;
  private restore: () => void;

  constructor(t: TestApp, every = 2) {
    const model = t.app.get<{ create: (...args: unknown[]) => Promise<unknown> }>(
      getModelToken('AuditEntryDocument'),
      { strict: false },
    );
    const original = model.create;
    model.create = async (...args: unknown[]) => {
      this.count += 1;
      if (this.count % every === 0) {
        await new Promise((resolve) => setTimeout(resolve, 20 + ((this.count * 37) % 61)));
      }
      return original.apply(model, args);
    };
    this.restore = () => {
      model.create = original;
    };
  }

  stop(): void {
    this.restore();
  }
}
