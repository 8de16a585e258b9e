import type { DriverAdapters } from '@taskflow/platform';
import { IdempotencyStore } from '../../ports/idempotency.store';
import {
  IdempotencyKeyDocument,
  IdempotencyKeySchema,
  MongoIdempotencyStore,
} from './mongo-idempotency.store';

/** The Mongo IdempotencyStore; IdempotencyModule requires this file only for that driver. */
export function mongoAdapters(): DriverAdapters {
  return {
    models: [{ name: IdempotencyKeyDocument.name, schema: IdempotencyKeySchema }],
    providers: [{ provide: IdempotencyStore, useClass: MongoIdempotencyStore }],
  };
}
