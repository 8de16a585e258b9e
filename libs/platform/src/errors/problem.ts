import { HttpException } from '@nestjs/common';
import { DomainError } from '../domain/domain-error';
import { snakeCase } from '../naming';
import {
  INTERNAL_PROBLEM,
  PROBLEM_CATALOG,
  PROBLEM_TYPE_BASE,
  ProblemType,
  problemTypeForStatus,
} from './problem-catalog';

/** An RFC 9457 problem details body. Extension members are snake_case like the rest of the API. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  request_id: string;
  [extension: string]: unknown;
}

export interface ProblemContext {
  readonly url: string;
  readonly requestId: string;
}

function body(type: ProblemType, detail: string, context: ProblemContext): ProblemBody {
  return {
    type: PROBLEM_TYPE_BASE + type.slug,
    title: type.title,
    status: type.status,
    detail,
    instance: context.url.split('?')[0],
    request_id: context.requestId,
  };
}

/** Whether an error is one we can explain to the client, or a bug (500, logged). */
export function isExpected(error: unknown): boolean {
  if (error instanceof DomainError) return error.code in PROBLEM_CATALOG;
  return toStatus(error) < 500;
}

function toStatus(error: unknown): number {
  if (error instanceof HttpException) return error.getStatus();
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}

function httpDetail(error: unknown, status: number): string {
  if (error instanceof HttpException) {
    const response = error.getResponse();
    if (typeof response === 'string') return response;
    const message = (response as { message?: unknown }).message;
    if (typeof message === 'string') return message;
    if (Array.isArray(message)) return message.join('; ');
  }
  const message = (error as { message?: unknown } | null)?.message;
  if (status < 500 && typeof message === 'string') return message;
  return 'The server could not complete the request';
}

/** Turns any thrown value into a problem body; internals never leak into a 5xx detail. */
export function toProblem(error: unknown, context: ProblemContext): ProblemBody {
  if (error instanceof DomainError) {
    const type = PROBLEM_CATALOG[error.code];
    if (!type) return body(INTERNAL_PROBLEM, 'The server could not complete the request', context);
    const problem = body(type, error.message, context);
    for (const [key, value] of Object.entries(error.details)) problem[snakeCase(key)] = value;
    return problem;
  }
  const status = toStatus(error);
  return body(problemTypeForStatus(status), httpDetail(error, status), context);
}
