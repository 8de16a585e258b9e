import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { ClientSession, Connection } from 'mongoose';
import { AsyncLocalStorage } from 'node:async_hooks';
import { UnitOfWork } from '../unit-of-work';
import { MongoTopology } from './mongo-topology';

interface RunningUnit {
  readonly session: ClientSession | undefined;
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
    if (!this.topology.transactions) return this.current.run({ session: undefined }, work);
    const session = await this.connection.startSession();
    try {
      let result: T | undefined;
      await session.withTransaction(async () => {
        result = await this.current.run({ session }, work);
      });
      return result as T;
    } finally {
      await session.endSession();
    }
  }

  /** The session of the running transaction, if any; pass it to every command. */
  session(): ClientSession | undefined {
    return this.current.getStore()?.session;
  }
}
