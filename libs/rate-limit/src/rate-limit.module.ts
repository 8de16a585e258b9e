import { DynamicModule, Global, Module } from '@nestjs/common';
import { bindDriver, Driver } from '@taskflow/platform';
import { LoginLimits } from './application/login-limits';
import { RateLimiter, rateLimitedRequestsMetric } from './application/rate-limiter';
import { RequestLimits } from './http/request-limits';
import { MemoryRateLimitStorage } from './infrastructure/memory/memory-rate-limit.storage';
import { RateLimitStorage } from './ports/rate-limit.storage';

type MongoAdapterFile = typeof import('./infrastructure/mongo/mongo-adapters');

export interface RateLimitModuleOptions {
  readonly driver: Driver;
}

/**
 * Rate limits (DESIGN §6): the counter store of the configured driver, the request pipeline's
 * steps (RequestLimits; the app orders them, see app.module.ts) and the login limits. The limits
 * themselves come from AppConfig. Global, because the login interceptor is bound per route.
 */
@Global()
@Module({})
export class RateLimitModule {
  static register(options: RateLimitModuleOptions): DynamicModule {
    const { imports, providers } = bindDriver(options.driver, {
      memory: [{ provide: RateLimitStorage, useClass: MemoryRateLimitStorage }],
      // Required only for the Mongo driver: it loads mongoose (bench/README.md, "Start-up").
      mongo: () =>
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        (require('./infrastructure/mongo/mongo-adapters') as MongoAdapterFile).mongoAdapters(),
    });
    return {
      module: RateLimitModule,
      imports,
      providers: [...providers, rateLimitedRequestsMetric, RateLimiter, RequestLimits, LoginLimits],
      exports: [RateLimitStorage, RequestLimits, LoginLimits],
    };
  }
}
