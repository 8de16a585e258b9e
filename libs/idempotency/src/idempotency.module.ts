import { DynamicModule, Global, Module } from '@nestjs/common';
import { bindDriver, Driver } from '@taskflow/platform';
import { IdempotentRequests } from './application/idempotent-requests';
import { idempotentReplaysMetric, IdempotentHandling } from './http/idempotent-handler';
import { MemoryIdempotencyStore } from './infrastructure/memory/memory-idempotency.store';
import {
  IdempotencyKeyDocument,
  IdempotencyKeySchema,
  MongoIdempotencyStore,
} from './infrastructure/mongo/mongo-idempotency.store';
import { IdempotencyStore } from './ports/idempotency.store';

export interface IdempotencyModuleOptions {
  readonly driver: Driver;
}

/**
 * Idempotency-Key: the store of the configured driver and the bookkeeping @Idempotent() runs
 * (its TTL comes from AppConfig). Global, because @Idempotent() is bound per route: its guard and
 * IdempotentHandling are resolved in the module of each controller that uses it.
 */
@Global()
@Module({})
export class IdempotencyModule {
  static register(options: IdempotencyModuleOptions): DynamicModule {
    const { imports, providers } = bindDriver(options.driver, {
      memory: [{ provide: IdempotencyStore, useClass: MemoryIdempotencyStore }],
      mongo: {
        models: [{ name: IdempotencyKeyDocument.name, schema: IdempotencyKeySchema }],
        providers: [{ provide: IdempotencyStore, useClass: MongoIdempotencyStore }],
      },
    });
    return {
      module: IdempotencyModule,
      imports,
      providers: [...providers, IdempotentRequests, IdempotentHandling, idempotentReplaysMetric],
      exports: [IdempotencyStore, IdempotentRequests, IdempotentHandling, idempotentReplaysMetric],
    };
  }
}
