import { Injectable } from '@nestjs/common';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerModuleOptions,
  ThrottlerRequest,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Counter } from 'prom-client';
import { DomainError } from '../domain/domain-error';
import { StaticMetadataReflector } from '../http/static-metadata-reflector';
import { METRIC } from '../observability/metrics';

export class RateLimited extends DomainError {
  constructor(
    policy: string,
    readonly retryAfterSeconds: number,
  ) {
    super(
      'RATE.LIMITED',
      `Too many requests under the "${policy}" policy; retry in ${retryAfterSeconds} s`,
      {
        policy,
        retryAfter: retryAfterSeconds,
      },
    );
  }
}

/** Appends one member to a structured-field list header (RFC 9651), keeping earlier ones. */
function appendListHeader(reply: FastifyReply, name: string, member: string): void {
  const current = reply.getHeader(name);
  void reply.header(name, current ? `${String(current)}, ${member}` : member);
}

/**
 * The throttler guard with the IETF RateLimit headers (draft-ietf-httpapi-ratelimit-headers)
 * instead of X-RateLimit-*, and a problem+json 429 with Retry-After.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  // Injected as a property, so ThrottlerGuard's constructor stays as the throttler defines it.
  @InjectMetric(METRIC.rateLimitedRequests)
  private readonly rejections!: Counter<'policy'>;

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
  ) {
    // The route's metadata is looked up about nine times per request: remembered, not re-read.
    super(options, storage, new StaticMetadataReflector());
  }

  protected override async handleRequest(request: ThrottlerRequest): Promise<boolean> {
    const { context, limit, ttl, throttler, blockDuration, getTracker, generateKey } = request;
    const http = context.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const name = throttler.name ?? 'default';
    const tracker = await getTracker(req, context);
    const key = generateKey(context, tracker, name);
    let hit;
    try {
      hit = await this.storageService.increment(key, ttl, limit, blockDuration, name);
    } catch (error) {
      // Fail open: with the counter store down the database is down too, and every request
      // that needs it fails on its own; refusing the rest (probes, docs) would help no one.
      this.logger.warn(`Rate limit store unavailable, request not counted: ${String(error)}`);
      return true;
    }
    const windowSeconds = Math.round(ttl / 1000);
    appendListHeader(reply, 'RateLimit-Policy', `"${name}";q=${limit};w=${windowSeconds}`);
    appendListHeader(
      reply,
      'RateLimit',
      `"${name}";r=${Math.max(0, limit - hit.totalHits)};t=${hit.timeToExpire}`,
    );
    if (hit.isBlocked) {
      this.rejections.inc({ policy: name });
      throw new RateLimited(name, hit.timeToBlockExpire);
    }
    return true;
  }
}
