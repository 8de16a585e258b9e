import { trace } from '@opentelemetry/api';
import {
  LogController,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { Logger as NestPinoLogger, PinoLogger as NestjsPinoLogger, type Params } from 'nestjs-pino';
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  pino,
  stdTimeFunctions,
  type DestinationStream,
  type Logger as PinoLogger,
  type LoggerOptions,
} from 'pino';
import type { AppConfig } from '../config/app-config';
import type { RequestWithActor } from '../http/request-with-actor';

/** Request headers that carry credentials, logged as `[Redacted]`. */
const SECRET_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'x-api-key'];

/** Fields that hold a secret wherever they appear in a logged object. */
const SECRET_FIELDS = ['password', 'new_password', 'access_token', 'refresh_token', 'token'];

/**
 * Where secret fields are redacted: at the top level and one level down in any logged object,
 * and up to three levels down in `err` (`err.response.body.password`), the one logged object
 * that nests. Every path that starts with a wildcard is tried on every key of every line and of
 * every request's child logger, and pino's redaction pays for them dearly: with the earlier paths
 * (wildcards four levels deep everywhere) a request line cost 54–69 µs and a request's child
 * logger 6–10 µs; with these, 14–25 µs and 1.5 µs (`npm run bench -- logging`; docs/DECISIONS.md).
 */
export const REDACTED_PATHS: readonly string[] = [
  ...SECRET_HEADERS.map((name) =>
    name.includes('-') ? `req.headers["${name}"]` : `req.headers.${name}`,
  ),
  'res.headers["set-cookie"]',
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `err.*.${field}`, `err.*.*.${field}`]),
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

/** The route template (`/tasks/:id`), or `unmatched` when no route answered. */
export function routeTemplate(request: FastifyRequest): string {
  return request.routeOptions?.url ?? 'unmatched';
}

/** The active span's ids, so a log line leads to its trace; nothing when tracing is off. */
function traceFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (span === undefined) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

export interface LoggingOptions {
  /**
   * The application's root logger: createApp builds it (with the tests' destination, if any)
   * and shares it with Fastify. Without it, one is built from the config, writing to stdout.
   */
  readonly logger?: PinoLogger;
}

/**
 * The request line's own logger beside each root logger: the root's settings and stream, without
 * pino's redaction. The line's one nested object is `req`, whose secret headers it masks itself
 * (redactedRequest); pino's redaction walked every path of REDACTED_PATHS over every line, about
 * a tenth of a GET's CPU at LOG_LEVEL=info (bench/README.md).
 */
const requestLineLoggers = new WeakMap<PinoLogger, PinoLogger>();

/** The one pino logger of the application: level, redaction, ISO time, trace ids, JSON lines. */
export function createRootLogger(config: AppConfig, destination?: DestinationStream): PinoLogger {
  const pretty = config.logPretty && destination === undefined;
  const lines: LoggerOptions = {
    timestamp: stdTimeFunctions.isoTime,
    mixin: traceFields,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  const options: LoggerOptions = {
    level: config.logLevel,
    redact: { paths: [...REDACTED_PATHS] },
    timestamp: stdTimeFunctions.isoTime,
    mixin: traceFields,
    // Fastify puts its own `req` serializer under ours unless the instance brings one.
    serializers: { req: requestSummary },
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { singleLine: true } } }
      : { formatters: lines.formatters }),
  };
  const root = destination ? pino(options, destination) : pino(options);
  if (!pretty) {
    // Its level is the request logger's, checked before each line (RequestLogController).
    const stream = (root as unknown as Record<symbol, DestinationStream>)[pino.symbols.streamSym];
    requestLineLoggers.set(root, pino({ ...lines, level: 'trace' }, stream));
  }
  return root;
}

/**
 * Fastify's own request lines, replaced by ours: one JSON line per request when the response is
 * sent (request id as a binding of Fastify's request logger, trace id, account id, route
 * template, status and duration), built only when its level is on, so a level that hides it
 * (LOG_LEVEL=warn) costs one comparison per request.
 */
export class RequestLogController extends LogController {
  constructor(private readonly lineLogger?: PinoLogger) {
    super({ requestIdLogLabel: 'request_id' });
  }

  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: RequestWithActor,
    reply: FastifyReply,
  ): void {
    const level = error || reply.statusCode >= 500 ? 'error' : 'info';
    // Fastify's request logger is a child of our pino root logger (fastifyLoggerOptions).
    const log = request.log as PinoLogger;
    if (!log.isLevelEnabled(level)) return;
    if (level === 'info' && this.lineLogger) {
      // The same line, its request_id and its one nested object masked here (requestLineLoggers).
      this.lineLogger.info(
        {
          request_id: request.id,
          req: redactedRequest(request),
          route: routeTemplate(request),
          account_id: request.actor?.id ?? null,
          via: request.actor ? (request.actor.via ?? 'session') : null,
          status: reply.statusCode,
          duration_ms: Math.round(reply.elapsedTime),
        },
        'request completed',
      );
      return;
    }
    log[level](
      {
        req: request,
        route: routeTemplate(request),
        account_id: request.actor?.id ?? null,
        // `api_key:<key id>` for a key: the id, never the key (its header is redacted).
        via: request.actor ? (request.actor.via ?? 'session') : null,
        status: reply.statusCode,
        duration_ms: Math.round(reply.elapsedTime),
        ...(error ? { err: error } : {}),
      },
      'request completed',
    );
  }
}

/** Fastify's logger settings: our root logger, and our request line instead of its two. */
export function fastifyLoggerOptions(logger: PinoLogger) {
  return {
    loggerInstance: logger,
    logController: new RequestLogController(requestLineLoggers.get(logger)),
  } as const;
}

/**
 * nestjs-pino settings: Nest's logger writes through the root logger (outside a request) and
 * through Fastify's request logger inside one (RequestPinoLogger). The request line itself is
 * RequestLogController's, written only when its level is on: pino-http would build two child
 * loggers and serialize the request on every request even when the level hides it.
 */
export function loggerParams(config: AppConfig, options: LoggingOptions = {}): Params {
  const logger = options.logger ?? createRootLogger(config);
  return { pinoHttp: { logger }, useExisting: true } as Params;
}

/** Fastify's logger of the request being served (its `request_id` bound), for Nest's logger. */
const requestLoggers = new AsyncLocalStorage<NestjsPinoLogger['logger']>();

/** nestjs-pino's logger, reading the request's logger from requestLoggers instead of its own. */
class RequestPinoLogger extends NestjsPinoLogger {
  override get logger(): NestjsPinoLogger['logger'] {
    return requestLoggers.getStore() ?? super.logger;
  }
}

/**
 * Nest's logger (`app.useLogger`): nestjs-pino's, so that a message inside a request carries
 * its `request_id`. Without nestjs-pino's LoggerModule, whose Nest middleware put every request
 * through @fastify/middie to enter its request context (4–7% of a GET's CPU in the bench
 * profiles); enterRequestLogContext does that in one Fastify hook.
 */
export function nestLogger(config: AppConfig, options: LoggingOptions = {}): NestPinoLogger {
  const params = loggerParams(config, options);
  return new NestPinoLogger(new RequestPinoLogger(params), params);
}

/**
 * Serves each request inside its logger's context, where middie ran nestjs-pino's middleware:
 * the first hook of ours, before the request id, security and any route's own steps.
 */
export function enterRequestLogContext(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    requestLoggers.run(request.log as NestjsPinoLogger['logger'], done);
  });
}

/** requestSummary with its secret headers masked as pino's redaction masks them. */
function redactedRequest(request: FastifyRequest): Record<string, unknown> {
  const headers: Record<string, unknown> = { ...request.headers };
  for (const name of SECRET_HEADERS) if (name in headers) headers[name] = '[Redacted]';
  return { ...requestSummary(request), headers };
}

/** The request line's `req`: never the body; secret headers redacted by the logger. */
export function requestSummary(request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: loggableUrl(request.url),
    remote_address: request.ip,
    headers: request.headers,
  };
}
