import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { ClientSession, Connection } from 'mongoose';
import { AsyncLocalStorage } from 'node:async_hooks';
import { UnitOfWork } from '../unit-of-work';
import { MongoTopology } from './mongo-topology';

interface RunningUnit {
  readonly session: ClientSession | undefined;
  /** Run after the unit's work, before its transaction commits; a throw aborts it. */
  readonly beforeCommit: (() => void)[];
  /** Run once the unit has ended, with its error when it failed. */
  readonly ended: ((error: unknown) => void)[];
}

/**
 * Where the deployment has transactions, a unit runs in one, retried by the driver on transient
 * errors; adapters find its session through `session()`. Elsewhere the writes run one by one in
 * the order the use case issues them, and races are decided by unique keys (DESIGN §2).
 */
@Injectable()
export class MongoUnitOfWork extends UnitOfWork {
  private readonly current = new AsyncLocalStorage<RunningUnit>();

  constructor(
    @InjectConnection() private readonly connection: Connection,
    private readonly topology: MongoTopology,
  ) {
    super();
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.current.getStore()) return work();
    const ended: RunningUnit['ended'] = [];
    let failure: unknown;
    try {
      if (!this.topology.transactions) {
        return await this.current.run({ session: undefined, beforeCommit: [], ended }, work);
      }
      const session = await this.connection.startSession();
      try {
        let result: T | undefined;
        await session.withTransaction(async () => {
          const unit: RunningUnit = { session, beforeCommit: [], ended };
          result = await this.current.run(unit, work);
          for (const check of unit.beforeCommit) check();
        });
        return result as T;
      } finally {
        await session.endSession();
      }
    } catch (error) {
      failure = error ?? new Error('unit of work failed');
      throw error;
    } finally {
      for (const listener of ended) listener(failure);
    }
  }

  /** The session of the running transaction, if any; pass it to every command. */
  session(): ClientSession | undefined {
    return this.current.getStore()?.session;
  }

  /**
   * Inside a transaction: `check` runs before it commits (a throw aborts it), and `ended` once
   * the unit is over, committed or not (its writes are visible from then on, or never). False
   * when no transaction runs: each write is visible once acknowledged.
   */
  inTransaction(check: () => void, ended: (error: unknown) => void): boolean {
    const unit = this.current.getStore();
    if (!unit?.session) return false;
    unit.beforeCommit.push(check);
    unit.ended.push(ended);
    return true;
  }
}
