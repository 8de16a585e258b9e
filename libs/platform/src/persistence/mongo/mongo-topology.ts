import type { Connection } from 'mongoose';

/**
 * What the connected deployment can do, learnt from `hello` once at start-up. Transactions need a
 * replica set (`setName`) or a sharded cluster (`msg: "isdbgrid"`); a standalone server and
 * FerretDB have neither, whatever they say about sessions.
 */
export class MongoTopology {
  constructor(
    readonly kind: 'replica-set' | 'sharded' | 'standalone',
    readonly transactions: boolean,
  ) {}

  static fromHello(hello: { setName?: unknown; msg?: unknown }): MongoTopology {
    if (typeof hello.setName === 'string') return new MongoTopology('replica-set', true);
    if (hello.msg === 'isdbgrid') return new MongoTopology('sharded', true);
    return new MongoTopology('standalone', false);
  }

  static async detect(connection: Connection): Promise<MongoTopology> {
    const db = connection.db;
    if (!db) throw new Error('The MongoDB connection is not open');
    return MongoTopology.fromHello(await db.admin().command({ hello: 1 }));
  }
}
