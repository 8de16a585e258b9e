import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import canonicalize from 'canonicalize';
import type { FastifyReply } from 'fastify';
import { createHash } from 'node:crypto';
import type { Counter } from 'prom-client';
import { from, lastValueFrom, Observable } from 'rxjs';
import { AppConfig } from '../config/app-config';
import { Clock } from '../domain/clock';
import { DomainError } from '../domain/domain-error';
import { toProblem } from '../errors/problem';
import { PROBLEM_CONTENT_TYPE } from '../http/problem.filter';
import type { RequestWithActor } from '../http/request-with-actor';
import { RequestValidationError } from '../http/validation';
import { METRIC } from '../observability/metrics';
import { UnitOfWork } from '../persistence/unit-of-work';
import {
  IdempotencyInFlight,
  IdempotencyKeyReused,
  InvalidIdempotencyKey,
  ReplayedResponse,
} from './idempotency.errors';
import { IdempotencyStore, StoredResponse } from './idempotency.store';

/** How long a first request may run before its claim counts as abandoned. */
export const IN_FLIGHT_LEASE_MS = 60_000;
const KEY = /^[\x20-\x7e]{1,255}$/;
const REPLAYED_HEADERS = ['etag', 'location'] as const;

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The key as sent: a bare value, or an RFC 9651 sf-string as the draft spells it. */
function parseKey(header: string | string[]): string {
  if (Array.isArray(header)) throw new InvalidIdempotencyKey('must be sent once');
  const quoted = /^"(.*)"$/.exec(header);
  const key = quoted ? quoted[1] : header;
  if (!KEY.test(key))
    throw new InvalidIdempotencyKey('must be 1 to 255 printable ASCII characters');
  return key;
}

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
 * Idempotency-Key on POST and PATCH (draft-ietf-httpapi-idempotency-key-header), for
 * authenticated requests: the first request's outcome is stored per (account, method, path, key)
 * in the same unit of work as its effect, and replayed on repeats.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly store: IdempotencyStore,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    @InjectMetric(METRIC.idempotentReplays) private readonly replays: Counter,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<RequestWithActor>();
    const header = request.headers['idempotency-key'];
    if (header === undefined || (request.method !== 'POST' && request.method !== 'PATCH'))
      return next.handle();
    // Public routes (login, registration) would store credentials' answers: keys are not honoured there.
    if (!request.actor) return next.handle();
    return from(this.handle(context, next, request, parseKey(header)));
  }

  private async handle(
    context: ExecutionContext,
    next: CallHandler,
    request: RequestWithActor,
    key: string,
  ): Promise<unknown> {
    const now = this.clock.now();
    const path = request.url.split('?')[0];
    const scope = sha256([request.actor?.id, request.method, path, key].join('\n'));
    const fingerprint = sha256(canonicalize(request.body ?? null) ?? '');
    const expiresAt = new Date(now.getTime() + this.config.idempotencyTtlSeconds * 1000);
    const claim = await this.store.claim(
      {
        scope,
        fingerprint,
        response: null,
        lockedUntil: new Date(now.getTime() + IN_FLIGHT_LEASE_MS),
        expiresAt,
      },
      now,
    );
    if (!claim.claimed) {
      if (claim.existing.fingerprint !== fingerprint) throw new IdempotencyKeyReused();
      if (claim.existing.response === null) throw new IdempotencyInFlight();
      this.replays.inc();
      throw new ReplayedResponse(claim.existing.response);
    }

    const reply = context.switchToHttp().getResponse<FastifyReply>();
    try {
      return await this.unitOfWork.run(async () => {
        const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
        await this.store.complete(scope, this.success(context, request, reply, body), expiresAt);
        return body;
      });
    } catch (error) {
      const problem = toProblem(error, { url: request.url, requestId: String(request.id) });
      if (isFinal(problem.status, error)) {
        const headers = { 'content-type': PROBLEM_CONTENT_TYPE };
        await this.store.complete(
          scope,
          { status: problem.status, headers, body: problem },
          expiresAt,
        );
      } else {
        await this.store.release(scope);
      }
      throw error;
    }
  }

  private success(
    context: ExecutionContext,
    request: RequestWithActor,
    reply: FastifyReply,
    body: unknown,
  ): StoredResponse {
    const status =
      (Reflect.getMetadata(HTTP_CODE_METADATA, context.getHandler()) as number | undefined) ??
      (request.method === 'POST' ? 201 : 200);
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = reply.getHeader(name);
      if (value !== undefined) headers[name] = String(value);
    }
    return { status, headers, body };
  }
}
