import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ActorGuard } from '@taskflow/identity';
import type { RequestWithActor } from '@taskflow/platform';
import type { FastifyReply } from 'fastify';
import { RequestLimits } from '@taskflow/rate-limit';

/**
 * The one global guard: the request pipeline's steps in their order (docs/DECISIONS.md,
 * "Request pipeline"), written here rather than left to the order modules are imported in.
 *
 * 1. request id — before any guard: Fastify's genReqId and onRequest hook (bootstrap.ts);
 * 2. rate limit by client address — every request but probes and /metrics: those without
 *    credentials here, those whose credentials are refused as they are refused (step 3);
 * 3. authentication — the actor guard (@Public() routes pass without an actor);
 * 4. limits per account — an authenticated request counts against its account; the login
 *    limits per target account run around the login handler (@LimitLoginAttempts());
 * 5. route rules — guards and interceptors bound to a route or controller, which Nest runs
 *    after the global ones.
 */
@Injectable()
export class RequestPipelineGuard implements CanActivate {
  constructor(
    private readonly limits: RequestLimits,
    private readonly authentication: ActorGuard,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    // The request and reply taken once: each switchToHttp() builds a new object of closures.
    const http = context.switchToHttp();
    const request = http.getRequest<RequestWithActor>();
    const reply = http.getResponse<FastifyReply>();
    if (this.limits.isExempt(context)) {
      await this.authentication.admit(context, request, reply);
      return true;
    }
    // Steps with nothing to count return no promise, and are not awaited.
    const before = this.limits.beforeAuthentication(request, reply);
    if (before) await before;
    try {
      await this.authentication.admit(context, request, reply);
    } catch (refusal) {
      // A refused request is counted too; past the limit it is answered 429 instead.
      await this.limits.refused(request, reply);
      throw refusal;
    }
    const after = this.limits.afterAuthentication(request, reply);
    if (after) await after;
    return true;
  }
}
