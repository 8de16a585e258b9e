import type { DriverAdapters } from '@taskflow/platform';
import { RateLimitStorage } from '../../ports/rate-limit.storage';
import {
  RateLimitCounterDocument,
  RateLimitCounterSchema,
  MongoRateLimitStorage,
} from './mongo-rate-limit.storage';

/** The Mongo RateLimitStorage; RateLimitModule requires this file only for that driver. */
export function mongoAdapters(): DriverAdapters {
  return {
    models: [{ name: RateLimitCounterDocument.name, schema: RateLimitCounterSchema }],
    providers: [{ provide: RateLimitStorage, useClass: MongoRateLimitStorage }],
  };
}
