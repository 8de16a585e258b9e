import { RequestMethod } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import type { FastifyRequest } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import { stdTimeFunctions, type DestinationStream, type LoggerOptions } from 'pino';
import type { AppConfig } from '../config/app-config';
import type { Actor } from '../domain/actor';

/** Fields that hold a secret wherever they appear in a logged object. */
const SECRET_FIELDS = ['password', 'new_password', 'access_token', 'refresh_token', 'token'];
/** Logged objects nest a few levels at most (`err.response.body.password`). */
const SECRET_DEPTH = 4;

export const REDACTED_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  ...SECRET_FIELDS.flatMap((field) =>
    Array.from({ length: SECRET_DEPTH + 1 }, (_, depth) => '*.'.repeat(depth) + field),
  ),
];

const SECRET_QUERY = new Set(SECRET_FIELDS);

/** The URL as logged: path and query, with the values of secret query parameters masked. */
export function loggableUrl(url: string): string {
  const question = url.indexOf('?');
  if (question < 0) return url;
  const query = new URLSearchParams(url.slice(question + 1));
  for (const key of [...query.keys()]) {
    if (SECRET_QUERY.has(key.toLowerCase())) query.set(key, '[Redacted]');
  }
  return `${url.slice(0, question)}?${query.toString()}`;
}

/**
 * pino-http sees Node's raw request; the route template and the actor live on Fastify's request.
 * An onRequest hook links the two (see RequestLogContext), and the log line reads through it.
 */
export const FASTIFY_REQUEST = Symbol('taskflow.fastifyRequest');

type LinkedRequest = IncomingMessage & {
  id?: string | number;
  [FASTIFY_REQUEST]?: FastifyRequest & { actor?: Actor };
};

/** The route template (`/tasks/:id`), or `unmatched` when no route answered. */
export function routeTemplate(request: FastifyRequest): string {
  return request.routeOptions?.url ?? 'unmatched';
}

/**
 * The fields pino-http's completion line gets on top of `req`, `request_id` and `duration_ms`.
 * Its `res` is dropped: Fastify writes headers in one writeHead, so Node's copy is always empty.
 */
function completionFields(
  req: LinkedRequest,
  res: ServerResponse,
  value: object,
): Record<string, unknown> {
  const request = req[FASTIFY_REQUEST];
  const rest: Record<string, unknown> = { ...value };
  delete rest.res;
  return {
    route: request ? routeTemplate(request) : 'unmatched',
    account_id: request?.actor?.id ?? null,
    status: res.statusCode,
    ...rest,
  };
}

/** The active span's ids, so a log line leads to its trace; nothing when tracing is off. */
function traceFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (span === undefined) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

export interface LoggingOptions {
  /** Where the JSON lines go (default stdout); tests pass a stream to read them. */
  readonly destination?: DestinationStream;
}

/**
 * nestjs-pino settings: one JSON line per request with request id, trace id, account id, route
 * template, status and duration; secrets redacted; bodies never logged.
 */
export function loggerParams(config: AppConfig, options: LoggingOptions = {}): Params {
  const pretty = config.logPretty && options.destination === undefined;
  const pinoOptions: LoggerOptions = {
    level: config.logLevel,
    redact: { paths: [...REDACTED_PATHS] },
    timestamp: stdTimeFunctions.isoTime,
    mixin: traceFields,
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { singleLine: true } } }
      : { formatters: { level: (label: string) => ({ level: label }) } }),
  };
  const httpOptions = {
    ...pinoOptions,
    // Fastify's request id (X-Request-ID or a UUID), which middie copies onto the raw request.
    genReqId: (req: LinkedRequest) => String(req.id),
    quietReqLogger: true,
    customAttributeKeys: { reqId: 'request_id', responseTime: 'duration_ms' },
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) =>
      error || res.statusCode >= 500 ? ('error' as const) : ('info' as const),
    customSuccessObject: completionFields,
    customErrorObject: (req: LinkedRequest, res: ServerResponse, _error: Error, value: object) =>
      completionFields(req, res, value),
    serializers: {
      req: (req: { method: string; url: string; remoteAddress?: string; headers: object }) => ({
        method: req.method,
        url: loggableUrl(req.url),
        remote_address: req.remoteAddress,
        headers: req.headers,
      }),
    },
  };
  return {
    pinoHttp: options.destination ? [httpOptions, options.destination] : httpOptions,
    forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
  } as Params;
}
