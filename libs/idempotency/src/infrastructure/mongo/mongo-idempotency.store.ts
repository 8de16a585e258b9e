import { Injectable } from '@nestjs/common';
import { InjectModel, Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema, type Model } from 'mongoose';
import { isDuplicateKey } from '@taskflow/platform';
import { MongoUnitOfWork } from '@taskflow/platform/mongo';
import {
  ClaimResult,
  IdempotencyRecord,
  IdempotencyStore,
  StoredResponse,
} from '../../ports/idempotency.store';

/** `_id` is the key's scope hash: inserting it claims the key (DESIGN §2). */
@Schema({ collection: 'idempotency_keys', versionKey: false, minimize: false, id: false })
export class IdempotencyKeyDocument {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: String, required: true }) fingerprint!: string;
  @Prop({ type: MongooseSchema.Types.Mixed, default: null }) response!: StoredResponse | null;
  @Prop({ type: Date, required: true }) locked_until!: Date;
  @Prop({ type: Date, required: true }) expires_at!: Date;
}

export const IdempotencyKeySchema = SchemaFactory.createForClass(IdempotencyKeyDocument);

const toDocument = (record: IdempotencyRecord): IdempotencyKeyDocument => ({
  _id: record.scope,
  fingerprint: record.fingerprint,
  response: record.response,
  locked_until: record.lockedUntil,
  expires_at: record.expiresAt,
});

const fromDocument = (doc: IdempotencyKeyDocument): IdempotencyRecord => ({
  scope: doc._id,
  fingerprint: doc.fingerprint,
  response: doc.response,
  lockedUntil: doc.locked_until,
  expiresAt: doc.expires_at,
});

/** Expired, or in flight past its lease: the key may be claimed again. */
const isDead = (doc: IdempotencyKeyDocument, now: Date): boolean =>
  doc.expires_at <= now || (doc.response === null && doc.locked_until <= now);

@Injectable()
export class MongoIdempotencyStore extends IdempotencyStore {
  constructor(
    @InjectModel(IdempotencyKeyDocument.name) private readonly keys: Model<IdempotencyKeyDocument>,
    private readonly unitOfWork: MongoUnitOfWork,
  ) {
    super();
  }

  async claim(record: IdempotencyRecord, now: Date): Promise<ClaimResult> {
    for (let attempt = 0; attempt < 2; attempt++) {
      // The claim is visible at once, outside any transaction: a repeat must see it in flight.
      try {
        await this.keys.create(toDocument(record));
        return { claimed: true };
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      const existing = await this.keys.findById(record.scope).lean<IdempotencyKeyDocument>().exec();
      if (existing && !isDead(existing, now))
        return { claimed: false, existing: fromDocument(existing) };
      // A dead record is removed (deleting it twice is harmless) and the insert decides again.
      if (existing) {
        await this.keys
          .deleteOne({
            _id: record.scope,
            expires_at: existing.expires_at,
            locked_until: existing.locked_until,
          })
          .exec();
      }
    }
    const holder = await this.keys.findById(record.scope).lean<IdempotencyKeyDocument>().exec();
    if (!holder) throw new Error(`Idempotency key ${record.scope} could not be claimed`);
    return { claimed: false, existing: fromDocument(holder) };
  }

  async complete(scope: string, response: StoredResponse, expiresAt: Date): Promise<void> {
    await this.keys
      .updateOne(
        { _id: scope },
        { $set: { response, expires_at: expiresAt } },
        { session: this.unitOfWork.session() },
      )
      .exec();
  }

  async release(scope: string): Promise<void> {
    await this.keys.deleteOne({ _id: scope, response: null }).exec();
  }
}
