import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isExpected, toProblem } from '../errors/problem';
import { ReplayedResponse } from '../idempotency/idempotency.errors';
import { DatabaseUnavailable, isDatabaseUnavailable } from '../persistence/mongo/mongo-errors';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Writes any error as problem+json; a 5xx is logged with its stack, its detail stays generic. */
export function sendProblem(
  thrown: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
  logger: Logger,
): void {
  // A dead database is an outage, not a bug: 503 with a generic detail, the cause in the log only.
  const error = isDatabaseUnavailable(thrown) ? new DatabaseUnavailable() : thrown;
  if (error !== thrown) {
    logger.warn({ err: thrown, request_id: request.id }, 'The database is unavailable');
  }
  const problem = toProblem(error, { url: request.url, requestId: String(request.id) });
  if (!isExpected(error)) {
    logger.error(
      { err: error, request_id: request.id },
      error instanceof Error ? error.stack : String(error),
    );
  }
  const retryAfter = (error as { retryAfterSeconds?: unknown } | null)?.retryAfterSeconds;
  if (typeof retryAfter === 'number') void reply.header('retry-after', String(retryAfter));
  void reply.status(problem.status).header('content-type', PROBLEM_CONTENT_TYPE).send(problem);
}

/** The one global exception filter: domain codes and HTTP exceptions become RFC 9457 problems. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    if (error instanceof ReplayedResponse) {
      const { status, headers, body } = error.response;
      void http
        .getResponse<FastifyReply>()
        .status(status)
        .headers(headers)
        .header('idempotent-replayed', 'true')
        .send(body);
      return;
    }
    sendProblem(
      error,
      http.getRequest<FastifyRequest>(),
      http.getResponse<FastifyReply>(),
      this.logger,
    );
  }
}
