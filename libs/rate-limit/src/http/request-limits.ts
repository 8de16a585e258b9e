import { ExecutionContext, Injectable } from '@nestjs/common';
import { AppConfig, Clock, RequestWithActor, RouteMetadata } from '@taskflow/platform';
import type { FastifyReply } from 'fastify';
import { CountedHit, RateLimiter } from '../application/rate-limiter';
import type { Rate } from '../domain/rate-limit';
import { NO_RATE_LIMIT } from './no-rate-limit.decorator';

const COUNTED = Symbol('counted under the global policy');

type Request = RequestWithActor & {
  routeOptions?: { url?: string };
  [COUNTED]?: true;
};

/** /auth/* and registration: each costs a bcrypt hash or hands out secrets. */
function isLimitedLikeAuth(request: Request): boolean {
  const route = request.routeOptions?.url ?? request.url;
  return route.startsWith('/auth/') || (route === '/users' && request.method === 'POST');
}

const clientAddress = (request: Request): string => `ip:${request.ip}`;

/** Past this many remembered addresses, the expired ones are swept. */
const BLOCKED_SWEEP_SIZE = 10_000;

/** Appends one member to a structured-field list header (RFC 9651), keeping earlier ones. */
function appendListHeader(reply: FastifyReply, name: string, member: string): void {
  const current = reply.getHeader(name);
  void reply.header(name, current ? `${String(current)}, ${member}` : member);
}

/**
 * The request pipeline's rate-limit steps (DESIGN §6, docs/DECISIONS.md "Request pipeline"):
 * `global` per client (the account when authenticated, else the address) and `auth-client` per
 * address on /auth/* and registration. The IETF RateLimit headers
 * (draft-ietf-httpapi-ratelimit-headers) on every counted answer, and a problem+json 429 with
 * Retry-After past a limit.
 */
@Injectable()
export class RequestLimits {
  // Read from the route's decorators once per route, not on every request.
  private readonly exempt = new RouteMetadata(
    (targets, reflector) => reflector.getAllAndOverride<boolean>(NO_RATE_LIMIT, targets) === true,
  );
  private readonly global: Rate | null;
  private readonly auth: Rate | null;
  private readonly credentialHeaders: readonly string[];
  /**
   * Addresses this instance saw past the global limit, until their window ends: a request from
   * one is counted and refused before its credentials cost a verification or an account read.
   */
  private readonly blocked = new Map<string, number>();

  constructor(
    private readonly limiter: RateLimiter,
    private readonly clock: Clock,
    config: AppConfig,
  ) {
    this.global = config.rateLimitGlobal;
    this.auth = config.rateLimitAuth;
    // X-User-ID names an actor in dev mode only; elsewhere it is no credential.
    this.credentialHeaders = config.devMode ? ['authorization', 'x-user-id'] : ['authorization'];
  }

  /** Probes and /metrics (@NoRateLimit()), or every request when both policies are off. */
  isExempt(context: ExecutionContext): boolean {
    if (!this.global && !this.auth) return true;
    return this.exempt.of(context);
  }

  /**
   * Before authentication, by client address: under `global` a request without credentials (it
   * can only be anonymous, or refused) and any request from an address past its limit; under
   * `auth-client` /auth/* and registration.
   */
  beforeAuthentication(request: Request, reply: FastifyReply): Promise<void> | undefined {
    let counted = false;
    if (this.global) {
      const address = clientAddress(request);
      const anonymous = !this.credentialHeaders.some((name) => request.headers[name] !== undefined);
      counted = anonymous || this.isBlocked(address);
    }
    const auth = this.auth !== null && isLimitedLikeAuth(request);
    // Most requests (with credentials, not /auth/*) count nothing here: no promise for them.
    if (!counted && !auth) return undefined;
    return this.countBeforeAuthentication(request, reply, counted, auth);
  }

  private async countBeforeAuthentication(
    request: Request,
    reply: FastifyReply,
    global: boolean,
    auth: boolean,
  ): Promise<void> {
    if (global) await this.countGlobal(reply, request, clientAddress(request));
    if (auth) {
      this.apply(
        reply,
        await this.limiter.count('auth-client', this.auth as Rate, clientAddress(request)),
      );
    }
  }

  /** A request whose credentials were refused counts against its address, like an anonymous one. */
  async refused(request: Request, reply: FastifyReply): Promise<void> {
    if (this.global && !request[COUNTED]) {
      await this.countGlobal(reply, request, clientAddress(request));
    }
  }

  /** After authentication: an authenticated request counts against its account, not its address. */
  afterAuthentication(request: Request, reply: FastifyReply): Promise<void> | undefined {
    if (!this.global || request[COUNTED]) return undefined;
    const tracker = request.actor ? `account:${request.actor.id}` : clientAddress(request);
    return this.countGlobal(reply, request, tracker);
  }

  private async countGlobal(reply: FastifyReply, request: Request, tracker: string) {
    request[COUNTED] = true;
    const counted = await this.limiter.count('global', this.global as Rate, tracker);
    if (counted?.hit.isBlocked && !request.actor)
      this.block(tracker, counted.hit.timeToBlockExpire);
    this.apply(reply, counted);
  }

  private isBlocked(address: string): boolean {
    const until = this.blocked.get(address);
    if (until === undefined) return false;
    if (until > this.clock.now().getTime()) return true;
    this.blocked.delete(address);
    return false;
  }

  private block(address: string, seconds: number): void {
    const now = this.clock.now().getTime();
    if (this.blocked.size >= BLOCKED_SWEEP_SIZE) {
      for (const [known, until] of this.blocked) if (until <= now) this.blocked.delete(known);
      // Still full: many addresses at once; forgetting them only costs their verifications.
      if (this.blocked.size >= BLOCKED_SWEEP_SIZE) this.blocked.clear();
    }
    this.blocked.set(address, now + seconds * 1000);
  }

  private apply(reply: FastifyReply, counted: CountedHit | null): void {
    if (!counted) return;
    const { policy, rate, hit } = counted;
    appendListHeader(
      reply,
      'RateLimit-Policy',
      `"${policy}";q=${rate.limit};w=${rate.windowSeconds}`,
    );
    appendListHeader(
      reply,
      'RateLimit',
      `"${policy}";r=${Math.max(0, rate.limit - hit.totalHits)};t=${hit.timeToExpire}`,
    );
    if (hit.isBlocked) throw this.limiter.refuse(policy, hit.timeToBlockExpire);
  }
}
