import { DynamicModule, Global, Module } from '@nestjs/common';
import { bindDriver, Driver } from '@taskflow/platform';
import { IdempotentRequests } from './application/idempotent-requests';
import { idempotentReplaysMetric, IdempotentHandling } from './http/idempotent-handler';
import { MemoryIdempotencyStore } from './infrastructure/memory/memory-idempotency.store';
import { IdempotencyStore } from './ports/idempotency.store';

type MongoAdapterFile = typeof import('./infrastructure/mongo/mongo-adapters');

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
      // Required only for the Mongo driver: it loads mongoose (bench/README.md, "Start-up").
      mongo: () =>
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        (require('./infrastructure/mongo/mongo-adapters') as MongoAdapterFile).mongoAdapters(),
    });
    return {
      module: IdempotencyModule,
      imports,
      providers: [...providers, IdempotentRequests, IdempotentHandling, idempotentReplaysMetric],
      exports: [IdempotencyStore, IdempotentRequests, IdempotentHandling, idempotentReplaysMetric],
    };
  }
}
