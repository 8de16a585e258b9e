import { Injectable } from '@nestjs/common';
import { InjectModel, Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Clock, isDuplicateKey } from '@taskflow/platform';
import type { Model } from 'mongoose';
import { hitResult, RateLimitHit, windowOf } from '../../domain/rate-limit';
import { RateLimitStorage } from '../../ports/rate-limit.storage';

/**
 * One counter per key and window; `_id` is `<key>:<window index>`. A mark is a document of its
 * own (`_id` is the key, without a window) with no hits.
 */
@Schema({ collection: 'rate_limit_counters', versionKey: false, id: false })
export class RateLimitCounterDocument {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: Number, required: true }) hits!: number;
  /** End of the window (or of the mark): a TTL index removes it where the server has them. */
  @Prop({ type: Date, required: true }) expires_at!: Date;
}

export const RateLimitCounterSchema = SchemaFactory.createForClass(RateLimitCounterDocument);

const SWEEP_EVERY = 10_000;

/** An upsert, retried once: on FerretDB two first upserts of one `_id` can collide. */
async function upsertRetried<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    return write();
  }
}

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
    const counter = await upsertRetried(() =>
      this.counters
        .findOneAndUpdate(
          { _id: `${key}:${index}` },
          { $inc: { hits: 1 }, $setOnInsert: { expires_at: new Date(endsAt) } },
          // No projection: FerretDB 1.24 does not implement `fields` on findAndModify.
          { upsert: true, returnDocument: 'after' },
        )
        .lean<Pick<RateLimitCounterDocument, 'hits'>>()
        .exec(),
    );
    if (++this.sinceSweep >= SWEEP_EVERY) this.sweep(new Date(now));
    return hitResult(counter?.hits ?? 1, limit, now, endsAt);
  }

  async peek(key: string, ttl: number): Promise<number> {
    const { index } = windowOf(this.clock.now().getTime(), ttl);
    const counter = await this.counters
      .findById(`${key}:${index}`)
      .lean<Pick<RateLimitCounterDocument, 'hits'>>()
      .exec();
    return counter?.hits ?? 0;
  }

  async mark(key: string, until: Date): Promise<void> {
    await upsertRetried(() =>
      this.counters
        .updateOne(
          { _id: key },
          { $set: { expires_at: until }, $setOnInsert: { hits: 0 } },
          { upsert: true },
        )
        .exec(),
    );
  }

  async isMarked(key: string): Promise<boolean> {
    const mark = await this.counters
      .exists({ _id: key, expires_at: { $gt: this.clock.now() } })
      .exec();
    return mark !== null;
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
