import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isExpected, ProblemBody, toProblem } from '../errors/problem';
import { DatabaseUnavailable, isDatabaseUnavailable } from '../persistence/mongo/mongo-errors';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** A problem answer as it goes on the wire. */
export interface ProblemResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: ProblemBody;
}

/**
 * The one place an error becomes an answer: status, headers (content type, Retry-After) and
 * body. The filter sends it; the idempotency interceptor stores it for replays.
 */
export function problemResponse(error: unknown, request: FastifyRequest): ProblemResponse {
  // A dead database is an outage, not a bug: 503 with a generic detail.
  const cause = isDatabaseUnavailable(error) ? new DatabaseUnavailable() : error;
  const body = toProblem(cause, { url: request.url, requestId: String(request.id) });
  const headers: Record<string, string> = { 'content-type': PROBLEM_CONTENT_TYPE };
  const retryAfter = (cause as { retryAfterSeconds?: unknown } | null)?.retryAfterSeconds;
  if (typeof retryAfter === 'number') headers['retry-after'] = String(retryAfter);
  return { status: body.status, headers, body };
}

/** Writes any error as problem+json; a 5xx is logged with its stack, its detail stays generic. */
export function sendProblem(
  thrown: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
  logger: Logger,
): void {
  if (isDatabaseUnavailable(thrown)) {
    // The cause (addresses, driver names) goes to the log only.
    logger.warn({ err: thrown, request_id: request.id }, 'The database is unavailable');
  } else if (!isExpected(thrown)) {
    logger.error(
      { err: thrown, request_id: request.id },
      thrown instanceof Error ? thrown.stack : String(thrown),
    );
  }
  const { status, headers, body } = problemResponse(thrown, request);
  void reply.status(status).headers(headers).send(body);
}

/** The one global exception filter: domain codes and HTTP exceptions become RFC 9457 problems. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendProblem(
      error,
      http.getRequest<FastifyRequest>(),
      http.getResponse<FastifyReply>(),
      this.logger,
    );
  }
}
