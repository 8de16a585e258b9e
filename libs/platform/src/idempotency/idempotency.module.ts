import { DynamicModule, Module, Provider } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import type { Driver } from '../config/app-config';
import { IdempotencyInterceptor } from './idempotency.interceptor';
import { IdempotencyStore } from './idempotency.store';
import { MemoryIdempotencyStore } from './memory-idempotency.store';
import {
  IdempotencyKeyDocument,
  IdempotencyKeySchema,
  MongoIdempotencyStore,
} from './mongo-idempotency.store';
import { bindDriver } from '../persistence/driver-bindings';

function withDriver(
  driver: Driver,
  common: Provider[],
): Pick<DynamicModule, 'imports' | 'providers'> {
  const { imports, providers } = bindDriver(driver, {
    memory: [{ provide: IdempotencyStore, useClass: MemoryIdempotencyStore }],
    mongo: {
      models: [{ name: IdempotencyKeyDocument.name, schema: IdempotencyKeySchema }],
      providers: [{ provide: IdempotencyStore, useClass: MongoIdempotencyStore }],
    },
  });
  return { imports, providers: [...providers, ...common] };
}

/** Idempotency-Key support for every POST and PATCH, stored by the configured driver. */
@Module({})
export class IdempotencyModule {
  static register(driver: Driver): DynamicModule {
    return {
      module: IdempotencyModule,
      ...withDriver(driver, [{ provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor }]),
      exports: [IdempotencyStore],
    };
  }
}
