import { Injectable } from '@nestjs/common';
import { InjectModel, Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { Clock } from '../domain/clock';
import { isDuplicateKey } from '../persistence/mongo/mongo-errors';
import { hitResult, RateLimitHit, RateLimitStorage, windowOf } from './rate-limit.storage';

/** One counter per key and window; `_id` is `<key>:<window index>`. */
@Schema({ collection: 'rate_limit_counters', versionKey: false, id: false })
export class RateLimitCounterDocument {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: Number, required: true }) hits!: number;
  /** End of the window: a TTL index removes the counter where the server has them. */
  @Prop({ type: Date, required: true }) expires_at!: Date;
}

export const RateLimitCounterSchema = SchemaFactory.createForClass(RateLimitCounterDocument);

const SWEEP_EVERY = 10_000;

/**
 * Counters shared by every instance: one `$inc` upsert per hit (DESIGN §2). Exact on MongoDB;
 * on FerretDB concurrent first hits of a window can collide on the key (retried once) and
 * concurrent increments can be undercounted (docs/MONGODB.md).
 */
@Injectable()
export class MongoRateLimitStorage extends RateLimitStorage {
  private sinceSweep = 0;

  constructor(
    @InjectModel(RateLimitCounterDocument.name)
    private readonly counters: Model<RateLimitCounterDocument>,
    private readonly clock: Clock,
  ) {
    super();
  }

  async increment(key: string, ttl: number, limit: number): Promise<RateLimitHit> {
    const now = this.clock.now().getTime();
    const { index, endsAt } = windowOf(now, ttl);
    const id = `${key}:${index}`;
    const hit = () =>
      this.counters
        .findOneAndUpdate(
          { _id: id },
          { $inc: { hits: 1 }, $setOnInsert: { expires_at: new Date(endsAt) } },
          // No projection: FerretDB 1.24 does not implement `fields` on findAndModify.
          { upsert: true, returnDocument: 'after' },
        )
        .lean<Pick<RateLimitCounterDocument, 'hits'>>()
        .exec();
    let counter;
    try {
      counter = await hit();
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      counter = await hit();
    }
    if (++this.sinceSweep >= SWEEP_EVERY) this.sweep(new Date(now));
    return hitResult(counter?.hits ?? 1, limit, now, endsAt);
  }

  /** Where TTL indexes are missing (FerretDB), old windows are removed here now and then. */
  private sweep(now: Date): void {
    this.sinceSweep = 0;
    void this.counters
      .deleteMany({ expires_at: { $lte: now } })
      .exec()
      .catch(() => undefined);
  }
}
