import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import {
  Actor,
  DomainError,
  problemResponse,
  RequestValidationError,
  RequestWithActor,
  UnitOfWork,
} from '@taskflow/platform';
import { InjectMetric, makeCounterProvider } from '@willsoto/nestjs-prometheus';
import type { FastifyReply } from 'fastify';
import type { Counter } from 'prom-client';
import { from, lastValueFrom, Observable } from 'rxjs';
import { FirstRequest, IdempotentRequests } from '../application/idempotent-requests';
import { isIdempotentMethod, parseIdempotencyKey } from '../domain/idempotency-key';
import { StoredResponse } from '../ports/idempotency.store';

const IDEMPOTENT_REPLAYS = 'idempotent_replays_total';

/** `idempotent_replays_total`: requests answered from a stored idempotent response. */
export const idempotentReplaysMetric = makeCounterProvider({
  name: IDEMPOTENT_REPLAYS,
  help: 'Requests answered from a stored idempotent response',
});

const REPLAYED_HEADERS = ['etag', 'location'] as const;

type Request = RequestWithActor;

/**
 * Outcomes a retry could change are not stored (Stripe's rule): the request never ran
 * (validation), lost a race, was rate limited, or met a server or dependency failure.
 */
function isFinal(status: number, error: unknown): boolean {
  if (status >= 500 || status === 408 || status === 429) return false;
  if (error instanceof RequestValidationError) return false;
  return !(error instanceof DomainError && error.code === 'STORAGE.CONCURRENT_UPDATE');
}

/**
 * A stored answer, sent as it was first sent. A web Response is the whole answer in Nest 12: its
 * status and headers win over the route's own @HttpCode().
 */
function replayOf({ status, headers, body }: StoredResponse): Response {
  const json = body === undefined || body === null ? null : JSON.stringify(body);
  const sent: Record<string, string> = { ...headers, 'idempotent-replayed': 'true' };
  if (json !== null) {
    sent['content-type'] ??= 'application/json; charset=utf-8';
    sent['content-length'] = String(Buffer.byteLength(json));
  }
  return new Response(json, { status, headers: sent });
}

/**
 * Idempotency-Key on POST and PATCH (draft-ietf-httpapi-idempotency-key-header), for
 * authenticated requests; bound per route by @Idempotent().
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly requests: IdempotentRequests,
    private readonly unitOfWork: UnitOfWork,
    @InjectMetric(IDEMPOTENT_REPLAYS) private readonly replays: Counter,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request>();
    const header = request.headers['idempotency-key'];
    if (header === undefined || !isIdempotentMethod(request.method)) return next.handle();
    // Public routes (login, registration) would store credentials' answers: keys are not honoured there.
    const actor = request.actor;
    if (!actor) return next.handle();
    return from(this.handle(context, next, request, actor, parseIdempotencyKey(header)));
  }

  private async handle(
    context: ExecutionContext,
    next: CallHandler,
    request: Request,
    actor: Actor,
    key: string,
  ): Promise<unknown> {
    const claim = await this.requests.claim({
      accountId: actor.id,
      method: request.method,
      path: request.url.split('?')[0],
      key,
      body: request.body,
    });
    if (!claim.first) {
      this.replays.inc();
      return replayOf(claim.replay);
    }
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    try {
      return await this.unitOfWork.run(async () => {
        const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
        await this.requests.complete(claim, this.success(context, request, reply, body));
        return body;
      });
    } catch (error) {
      await this.settleFailure(claim, request, error);
      throw error;
    }
  }

  private async settleFailure(claim: FirstRequest, request: Request, error: unknown) {
    const problem = problemResponse(error, request);
    if (isFinal(problem.status, error)) await this.requests.complete(claim, problem);
    else await this.requests.release(claim);
  }

  private success(
    context: ExecutionContext,
    request: Request,
    reply: FastifyReply,
    body: unknown,
  ): StoredResponse {
    // A handler that picks its status itself (204 for a claim that found nothing) has set it on
    // the reply; otherwise Nest applies @HttpCode() or its default only when it sends.
    const status =
      reply.statusCode !== 200
        ? reply.statusCode
        : ((Reflect.getMetadata(HTTP_CODE_METADATA, context.getHandler()) as number | undefined) ??
          (request.method === 'POST' ? 201 : 200));
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = reply.getHeader(name);
      if (value !== undefined) headers[name] = String(value);
    }
    return { status, headers, body };
  }
}
