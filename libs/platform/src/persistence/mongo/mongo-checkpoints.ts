import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { Checkpoints } from '../checkpoints';
import { isDuplicateKey } from './mongo-errors';

interface CheckpointDoc {
  _id: string;
  at: Date;
}

@Injectable()
export class MongoCheckpoints extends Checkpoints {
  constructor(@InjectConnection() private readonly connection: Connection) {
    super();
  }

  private get collection() {
    return this.connection.collection<CheckpointDoc>('checkpoints');
  }

  async get(name: string): Promise<Date | null> {
    return (await this.collection.findOne({ _id: name }))?.at ?? null;
  }

  async set(name: string, at: Date): Promise<void> {
    const write = () =>
      this.collection.updateOne({ _id: name }, { $set: { at } }, { upsert: true });
    try {
      await write();
    } catch (error) {
      // Two instances upserting at once: on FerretDB one upsert can fail on `_id`; the retry updates.
      if (!isDuplicateKey(error)) throw error;
      await write();
    }
  }
}
