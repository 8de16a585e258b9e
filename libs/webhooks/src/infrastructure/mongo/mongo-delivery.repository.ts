import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { isDuplicateKey, Page, PageRequest } from '@taskflow/platform';
import { pageFrom, pageProbe } from '@taskflow/platform/mongo';
import type { Model } from 'mongoose';
import type {
  AttemptStatus,
  CursorStep,
  Delivery,
  DeliveryAttempt,
  DeliveryStatus,
  Replay,
} from '../../domain/delivery';
import { replayStreamOf } from '../../domain/delivery';
import { DeliveryRepository } from '../../ports/delivery.repository';
import {
  WebhookAttemptDocument,
  WebhookCursorDocument,
  WebhookDeliveryDocument,
  WebhookReplayDocument,
} from './webhook.schemas';

const DELIVERY_STATUSES: readonly string[] = ['pending', 'succeeded', 'failed'];
const parseStatus = <T extends string>(value: string): T => {
  if (!DELIVERY_STATUSES.includes(value)) throw new Error(`Unknown webhook status ${value}`);
  return value as T;
};

const toDelivery = (doc: WebhookDeliveryDocument): Delivery => ({
  id: doc._id,
  endpointId: doc.endpoint_id,
  event: {
    id: doc.event_id,
    type: doc.event_type,
    taskId: doc.task_id,
    version: doc.version,
    body: doc.event,
  },
  attempt: doc.attempt,
  status: parseStatus<DeliveryStatus>(doc.status),
  dueAt: doc.due_at,
  createdAt: doc.created_at,
});

const fromDelivery = (delivery: Delivery): WebhookDeliveryDocument => ({
  _id: delivery.id,
  endpoint_id: delivery.endpointId,
  event_id: delivery.event.id,
  event_type: delivery.event.type,
  task_id: delivery.event.taskId,
  version: delivery.event.version,
  event: { ...delivery.event.body },
  attempt: delivery.attempt,
  status: delivery.status,
  due_at: delivery.dueAt,
  created_at: delivery.createdAt,
});

const toAttempt = (doc: WebhookAttemptDocument): DeliveryAttempt => ({
  id: doc._id,
  endpointId: doc.endpoint_id,
  deliveryId: doc.delivery_id,
  eventId: doc.event_id,
  attempt: doc.attempt,
  status: parseStatus<AttemptStatus>(doc.status),
  responseStatus: doc.response_status ?? null,
  error: doc.error ?? null,
  durationMs: doc.duration_ms ?? null,
  at: doc.at,
  nextAttemptAt: doc.next_attempt_at ?? null,
});

const fromAttempt = (attempt: DeliveryAttempt): WebhookAttemptDocument => ({
  _id: attempt.id,
  endpoint_id: attempt.endpointId,
  delivery_id: attempt.deliveryId,
  event_id: attempt.eventId,
  attempt: attempt.attempt,
  status: attempt.status,
  response_status: attempt.responseStatus,
  error: attempt.error,
  duration_ms: attempt.durationMs,
  at: attempt.at,
  next_attempt_at: attempt.nextAttemptAt,
});

/** The attempt log's cursor: newest first, ties by id (the same key as the memory adapter). */
const attemptCursor = (attempt: DeliveryAttempt): string =>
  `${(9e15 - attempt.at.getTime()).toString().padStart(16, '0')}|${attempt.id}`;

@Injectable()
export class MongoDeliveryRepository extends DeliveryRepository {
  constructor(
    @InjectModel(WebhookDeliveryDocument.name)
    private readonly deliveries: Model<WebhookDeliveryDocument>,
    @InjectModel(WebhookAttemptDocument.name)
    private readonly attempts: Model<WebhookAttemptDocument>,
    @InjectModel(WebhookCursorDocument.name)
    private readonly cursors: Model<WebhookCursorDocument>,
    @InjectModel(WebhookReplayDocument.name)
    private readonly replays: Model<WebhookReplayDocument>,
  ) {
    super();
  }

  async addDeliveries(deliveries: readonly Delivery[]): Promise<void> {
    // The ones already owed (another instance, or a read before a crash) are left as they are.
    await insertUnordered(this.deliveries, deliveries.map(fromDelivery));
  }

  async findDelivery(id: string): Promise<Delivery | null> {
    const doc = await this.deliveries.findById(id).lean<WebhookDeliveryDocument>().exec();
    return doc ? toDelivery(doc) : null;
  }

  async saveDeliveries(deliveries: readonly Delivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    await this.deliveries.bulkWrite(
      deliveries.map((delivery) => ({
        updateOne: {
          filter: { _id: delivery.id },
          update: {
            $set: { attempt: delivery.attempt, status: delivery.status, due_at: delivery.dueAt },
          },
        },
      })),
      { ordered: false },
    );
  }

  async findDue(now: Date, exclude: readonly string[], limit: number): Promise<Delivery[]> {
    const filter: Record<string, unknown> = { status: 'pending', due_at: { $lte: now } };
    if (exclude.length > 0) filter.endpoint_id = { $nin: [...exclude] };
    const docs = await this.deliveries
      .find(filter)
      .sort({ due_at: 1, _id: 1 })
      .limit(limit)
      .lean<WebhookDeliveryDocument[]>()
      .exec();
    return docs.map(toDelivery);
  }

  async countPending(): Promise<number> {
    return this.deliveries.countDocuments({ status: 'pending' }).exec();
  }

  async deleteForEndpoint(endpointId: string): Promise<void> {
    await this.deliveries.deleteMany({ endpoint_id: endpointId });
    await this.attempts.deleteMany({ endpoint_id: endpointId });
    const replays = await this.replays
      .find({ endpoint_id: endpointId }, { _id: 1 })
      .lean<{ _id: string }[]>()
      .exec();
    const streams = [endpointId, ...replays.map((each) => replayStreamOf(endpointId, each._id))];
    await this.cursors.deleteMany({ endpoint_id: { $in: streams } });
    await this.replays.deleteMany({ endpoint_id: endpointId });
  }

  async claimAttempts(attempts: readonly DeliveryAttempt[]): Promise<Set<string>> {
    const docs = attempts.map(fromAttempt);
    const taken = await insertUnordered(this.attempts, docs);
    return new Set(docs.filter((_, index) => !taken.has(index)).map((doc) => doc._id));
  }

  async findAttempt(id: string): Promise<DeliveryAttempt | null> {
    const doc = await this.attempts.findById(id).lean<WebhookAttemptDocument>().exec();
    return doc ? toAttempt(doc) : null;
  }

  async saveAttempts(attempts: readonly DeliveryAttempt[]): Promise<void> {
    if (attempts.length === 0) return;
    await this.attempts.bulkWrite(
      attempts.map((attempt) => {
        const { _id, ...fields } = fromAttempt(attempt);
        return { updateOne: { filter: { _id }, update: { $set: fields } } };
      }),
      { ordered: false },
    );
  }

  async listAttempts(endpointId: string, page: PageRequest): Promise<Page<DeliveryAttempt>> {
    const filter: Record<string, unknown> = { endpoint_id: endpointId };
    if (page.after !== null) {
      const [key, id] = splitCursor(page.after);
      const at = new Date(9e15 - Number(key));
      filter.$or = [{ at: { $lt: at } }, { at, _id: { $gt: id } }];
    }
    const docs = await this.attempts
      .find(filter)
      .sort({ at: -1, _id: 1 })
      .limit(pageProbe(page))
      .batchSize(pageProbe(page))
      .lean<WebhookAttemptDocument[]>()
      .exec();
    return pageFrom(docs, page, toAttempt, attemptCursor);
  }

  async latestStep(endpointId: string): Promise<CursorStep | null> {
    const doc = await this.cursors
      .findOne({ endpoint_id: endpointId })
      .sort({ n: -1 })
      .lean<WebhookCursorDocument>()
      .exec();
    return doc
      ? { endpointId: doc.endpoint_id, n: doc.n, position: doc.position, at: doc.at }
      : null;
  }

  async claimStep(step: CursorStep): Promise<boolean> {
    try {
      await this.cursors.create([
        {
          _id: `${step.endpointId}:${step.n}`,
          endpoint_id: step.endpointId,
          n: step.n,
          position: step.position,
          at: step.at,
        },
      ]);
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
    // Older moves are history nobody reads; keep a few for diagnosis.
    if (step.n % 100 === 0 && step.n > 0) {
      await this.cursors.deleteMany({ endpoint_id: step.endpointId, n: { $lt: step.n - 10 } });
    }
    return true;
  }

  async addReplay(replay: Replay): Promise<void> {
    await this.replays.create([
      {
        _id: replay.id,
        endpoint_id: replay.endpointId,
        until: replay.until,
        created_at: replay.createdAt,
        finished_at: replay.finishedAt,
      },
    ]);
  }

  async unfinishedReplays(): Promise<Replay[]> {
    const docs = await this.replays
      .find({ finished_at: null })
      .lean<WebhookReplayDocument[]>()
      .exec();
    return docs.map(toReplay);
  }

  async finishReplay(id: string, at: Date): Promise<void> {
    await this.replays.updateOne({ _id: id, finished_at: null }, { $set: { finished_at: at } });
  }
}

/**
 * One unordered insert: each document stands or falls on its own unique `_id`. Returns the
 * indexes of those already there (duplicate key); any other failure is thrown.
 */
async function insertUnordered<T extends { _id: string }>(
  model: Model<T>,
  docs: readonly T[],
): Promise<Set<number>> {
  if (docs.length === 0) return new Set();
  try {
    await model.collection.insertMany(docs as never[], { ordered: false });
    return new Set();
  } catch (error) {
    const writeErrors = (error as { writeErrors?: { code?: number; index?: number }[] })
      .writeErrors;
    if (Array.isArray(writeErrors) && writeErrors.every((each) => each.code === 11000)) {
      return new Set(writeErrors.map((each) => each.index ?? -1));
    }
    // A single-document insert may report its duplicate key without writeErrors.
    if (isDuplicateKey(error) && docs.length === 1) return new Set([0]);
    throw error;
  }
}

const toReplay = (doc: WebhookReplayDocument): Replay => ({
  id: doc._id,
  endpointId: doc.endpoint_id,
  until: doc.until,
  createdAt: doc.created_at,
  finishedAt: doc.finished_at ?? null,
});

function splitCursor(cursor: string): [string, string] {
  const bar = cursor.indexOf('|');
  return [cursor.slice(0, bar), cursor.slice(bar + 1)];
}
