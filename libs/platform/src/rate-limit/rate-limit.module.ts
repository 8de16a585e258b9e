import { DynamicModule, ExecutionContext, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import {
  SkipThrottle,
  ThrottlerGetTrackerFunction,
  ThrottlerModule,
  ThrottlerOptions,
} from '@nestjs/throttler';
import type { AppConfig, Driver, RateLimit } from '../config/app-config';
import type { RequestWithActor } from '../http/request-with-actor';
import { bindDriver } from '../persistence/driver-bindings';
import { MemoryRateLimitStorage } from './memory-rate-limit.storage';
import {
  MongoRateLimitStorage,
  RateLimitCounterDocument,
  RateLimitCounterSchema,
} from './mongo-rate-limit.storage';
import { RateLimitGuard } from './rate-limit.guard';
import { RateLimitStorage } from './rate-limit.storage';

type Request = RequestWithActor & { routeOptions?: { url?: string } };

export const RATE_LIMIT_POLICIES = ['global', 'auth-client', 'auth-account'] as const;

/** Exempts a route or controller from every rate-limit policy (probes, metrics). */
export const NoRateLimit = (): MethodDecorator & ClassDecorator =>
  SkipThrottle(Object.fromEntries(RATE_LIMIT_POLICIES.map((name) => [name, true])));

const AUTH_ROUTES = /^\/auth\//;

const isAuthRoute = (request: Request): boolean =>
  AUTH_ROUTES.test(request.routeOptions?.url ?? request.url);

/** The account a login or reset request names, if any. */
function targetAccount(request: Request): string | null {
  const id = (request.body as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' && id.length > 0 && id.length <= 64 ? id.toLowerCase() : null;
}

const clientAddress = (request: Request): string => `ip:${request.ip}`;

const requestOf = (context: ExecutionContext): Request =>
  context.switchToHttp().getRequest<Request>();

/** A tracker from the Fastify request (the throttler hands trackers an untyped one). */
const trackBy =
  (track: (request: Request) => string): ThrottlerGetTrackerFunction =>
  (_request, context) =>
    track(requestOf(context));

function policy(
  name: string,
  rate: RateLimit,
  rest: Omit<ThrottlerOptions, 'name' | 'limit' | 'ttl'>,
): ThrottlerOptions {
  return {
    name,
    limit: rate.limit,
    ttl: rate.windowSeconds * 1000,
    // Keys span every route: a policy limits a client, not one endpoint.
    generateKey: (_context, tracker) => `${name}:${tracker}`,
    ...rest,
  };
}

/**
 * Rate limits (DESIGN §6) through @nestjs/throttler: `global` per client (the account when
 * authenticated, else the address), and on /auth/* `auth-client` per address and
 * `auth-account` per target account.
 */
export function rateLimitPolicies(config: AppConfig): ThrottlerOptions[] {
  const policies: ThrottlerOptions[] = [];
  if (config.rateLimitGlobal) {
    policies.push(
      policy('global', config.rateLimitGlobal, {
        getTracker: trackBy((request) =>
          request.actor ? `account:${request.actor.id}` : clientAddress(request),
        ),
      }),
    );
  }
  if (config.rateLimitAuth) {
    policies.push(
      policy('auth-client', config.rateLimitAuth, {
        skipIf: (context) => !isAuthRoute(requestOf(context)),
        getTracker: trackBy(clientAddress),
      }),
      policy('auth-account', config.rateLimitAuth, {
        skipIf: (context) => {
          const request = requestOf(context);
          return !isAuthRoute(request) || targetAccount(request) === null;
        },
        getTracker: trackBy((request) => `account:${targetAccount(request)}`),
      }),
    );
  }
  return policies;
}

/** Binds the counter store of the configured driver. */
@Module({})
export class RateLimitStorageModule {
  static register(driver: Driver): DynamicModule {
    return {
      module: RateLimitStorageModule,
      ...bindDriver(driver, {
        memory: [{ provide: RateLimitStorage, useClass: MemoryRateLimitStorage }],
        mongo: {
          models: [{ name: RateLimitCounterDocument.name, schema: RateLimitCounterSchema }],
          providers: [{ provide: RateLimitStorage, useClass: MongoRateLimitStorage }],
        },
      }),
      exports: [RateLimitStorage],
    };
  }
}

@Module({})
export class RateLimitModule {
  /** Register after the identity module, so the guard sees the resolved actor. */
  static register(config: AppConfig): DynamicModule {
    const policies = rateLimitPolicies(config);
    return {
      module: RateLimitModule,
      imports: [
        ThrottlerModule.forRootAsync({
          imports: [RateLimitStorageModule.register(config.driver)],
          inject: [RateLimitStorage],
          useFactory: (storage: RateLimitStorage) => ({
            throttlers: policies,
            storage,
            setHeaders: false,
          }),
        }),
      ],
      providers: policies.length > 0 ? [{ provide: APP_GUARD, useClass: RateLimitGuard }] : [],
    };
  }
}
