import { Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerRequest } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../domain/domain-error';

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
  protected override async handleRequest(request: ThrottlerRequest): Promise<boolean> {
    const { context, limit, ttl, throttler, blockDuration, getTracker, generateKey } = request;
    const http = context.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const name = throttler.name ?? 'default';
    const tracker = await getTracker(req, context);
    const key = generateKey(context, tracker, name);
    const hit = await this.storageService.increment(key, ttl, limit, blockDuration, name);
    const windowSeconds = Math.round(ttl / 1000);
    appendListHeader(reply, 'RateLimit-Policy', `"${name}";q=${limit};w=${windowSeconds}`);
    appendListHeader(
      reply,
      'RateLimit',
      `"${name}";r=${Math.max(0, limit - hit.totalHits)};t=${hit.timeToExpire}`,
    );
    if (hit.isBlocked) throw new RateLimited(name, hit.timeToBlockExpire);
    return true;
  }
}
