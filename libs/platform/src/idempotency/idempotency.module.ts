import { DynamicModule, Global, Module } from '@nestjs/common';
import type { Driver } from '../config/app-config';
import { IdempotencyStore } from './idempotency.store';
import { MemoryIdempotencyStore } from './memory-idempotency.store';
import {
  IdempotencyKeyDocument,
  IdempotencyKeySchema,
  MongoIdempotencyStore,
} from './mongo-idempotency.store';
import { bindDriver } from '../persistence/driver-bindings';

/**
 * The store behind Idempotency-Key, for the configured driver. Global, because the interceptor
 * is bound per route (@Idempotent()) and built in the module of each controller that uses it.
 */
@Global()
@Module({})
export class IdempotencyModule {
  static register(driver: Driver): DynamicModule {
    return {
      module: IdempotencyModule,
      ...bindDriver(driver, {
        memory: [{ provide: IdempotencyStore, useClass: MemoryIdempotencyStore }],
        mongo: {
          models: [{ name: IdempotencyKeyDocument.name, schema: IdempotencyKeySchema }],
          providers: [{ provide: IdempotencyStore, useClass: MongoIdempotencyStore }],
        },
      }),
      exports: [IdempotencyStore],
    };
  }
}
