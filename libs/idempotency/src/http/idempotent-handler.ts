import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import {
  DomainError,
  problemResponse,
  RequestValidationError,
  RequestWithActor,
  UnitOfWork,
} from '@taskflow/platform';
import { InjectMetric, makeCounterProvider } from '@willsoto/nestjs-prometheus';
import type { FastifyReply } from 'fastify';
import type { Counter } from 'prom-client';
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

/** What IdempotencyKeyGuard leaves on a request whose key the handler must honour. */
const KEYED = Symbol('idempotency key');

type Request = RequestWithActor & {
  [KEYED]?: { readonly key: string; readonly reply: FastifyReply };
};

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
 * Reads Idempotency-Key on an authenticated POST or PATCH of a route marked @Idempotent(), after
 * the global guard (so the actor is known) and before any pipe: a bad key answers 400 for the
 * key itself, whatever the body. Public routes (login, registration) would store credentials'
 * answers: keys are not honoured there.
 */
@Injectable()
export class IdempotencyKeyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    const header = request.headers['idempotency-key'];
    if (header === undefined || !isIdempotentMethod(request.method) || !request.actor) return true;
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    request[KEYED] = { key: parseIdempotencyKey(header), reply };
    return true;
  }
}

/**
 * Idempotency-Key on POST and PATCH (draft-ietf-httpapi-idempotency-key-header), run by the
 * handler @Idempotent() wraps: claim the key, or replay the stored answer; else run the handler
 * and store its answer in the same unit of work as its effect. A plain function call around the
 * handler, where a Nest interceptor put every keyed write through rxjs (bench/README.md).
 */
@Injectable()
export class IdempotentHandling {
  constructor(
    private readonly requests: IdempotentRequests,
    private readonly unitOfWork: UnitOfWork,
    @InjectMetric(IDEMPOTENT_REPLAYS) private readonly replays: Counter,
  ) {}

  /** The request's key, if IdempotencyKeyGuard found one to honour. */
  static keyed(request: Request): boolean {
    return request[KEYED] !== undefined;
  }

  async run(
    request: Request,
    handlerStatus: () => number | undefined,
    handler: () => Promise<unknown>,
  ): Promise<unknown> {
    const { key, reply } = request[KEYED] as NonNullable<Request[typeof KEYED]>;
    const claim = await this.requests.claim({
      accountId: (request.actor as NonNullable<Request['actor']>).id,
      method: request.method,
      path: request.url.split('?')[0],
      key,
      body: request.body,
    });
    if (!claim.first) {
      this.replays.inc();
      return replayOf(claim.replay);
    }
    try {
      return await this.unitOfWork.run(async () => {
        const body = await handler();
        await this.requests.complete(claim, this.success(request, reply, handlerStatus, body));
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
    request: Request,
    reply: FastifyReply,
    handlerStatus: () => number | undefined,
    body: unknown,
  ): StoredResponse {
    // A handler that picks its status itself (204 for a claim that found nothing) has set it on
    // the reply; otherwise Nest applies @HttpCode() or its default only when it sends.
    const status =
      reply.statusCode !== 200
        ? reply.statusCode
        : (handlerStatus() ?? (request.method === 'POST' ? 201 : 200));
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = reply.getHeader(name);
      if (value !== undefined) headers[name] = String(value);
    }
    return { status, headers, body };
  }
}

/** The @HttpCode() of a route handler, as Nest reads it when it sends. */
export const httpCodeOf = (handler: object): number | undefined =>
  Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined;
