import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import {
  acceptOnlyJsonBodies,
  answerClientError,
  AppConfig,
  applicationVersion,
  createRootLogger,
  createValidationPipe,
  documentOptionalBodies,
  documentTransportProblems,
  enterRequestLogContext,
  fastifyLoggerOptions,
  nameOperations,
  operationIdsByRule,
  requestIdFrom,
  secureHttp,
  sendProblem,
  setBaselineHeaders,
} from '@taskflow/platform';
import { documentIdempotencyKeys } from '@taskflow/idempotency';
import { CREDENTIALS_EXTENSION, SESSION_ONLY } from '@taskflow/identity';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Logger as NestPinoLogger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AppModule } from './app.module';

/** Largest accepted request body; bigger ones answer 413. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

export interface CreateAppOptions {
  /** false silences Nest's own messages (start-up, errors); request lines follow LOG_LEVEL. */
  readonly logger?: false;
  /** Where log lines go instead of stdout; tests read them from here. */
  readonly logDestination?: DestinationStream;
}

/** Builds the HTTP application (not yet listening); used by main.ts and by the e2e tests. */
export async function createApp(
  config: AppConfig,
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const routerErrors = new Logger('Errors');
  const logger = createRootLogger(config, options.logDestination);
  const adapter = new FastifyAdapter({
    ...fastifyLoggerOptions(logger),
    // No Nest middleware: the one there was (nestjs-pino's) is enterRequestLogContext's hook.
    skipMiddie: true,
    bodyLimit: BODY_LIMIT_BYTES,
    // A request must arrive whole in time (else 408, connection closed), and an idle connection
    // is closed; Fastify's defaults (0) let a stalled body hold a socket for ever.
    requestTimeout: config.requestTimeoutSeconds * 1000,
    connectionTimeout: config.connectionTimeoutSeconds * 1000,
    // Given to Node's server at construction too: set only afterwards (as Fastify does), Node
    // never cut a request whose headers had arrived. It checks for late requests on this period
    // (30 s by default), which a short limit would otherwise overshoot by up to that much.
    http: {
      requestTimeout: config.requestTimeoutSeconds * 1000,
      headersTimeout: Math.min(60_000, config.requestTimeoutSeconds * 1000),
      connectionsCheckingInterval: Math.min(5_000, config.requestTimeoutSeconds * 500),
    },
    // TRUST_PROXY=n trusts the n nearest hops of X-Forwarded-For, as proxy-addr counts them.
    trustProxy:
      config.trustProxy === false
        ? false
        : (_address: string, hop: number) => hop < (config.trustProxy as number),
    genReqId: requestIdFrom,
    clientErrorHandler: answerClientError,
    requestIdHeader: false,
    // A malformed URL (400) or an over-long path parameter (414) is refused by the router before
    // any hook or filter runs; answer it as a problem too, with its X-Request-ID.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      void reply.header('x-request-id', request.id);
      setBaselineHeaders(reply);
      sendProblem(error, request, reply, routerErrors);
    },
  });
  // bodyParser off: Nest would add a form parser; acceptOnlyJsonBodies sets the only one below.
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, { logging: { logger } }),
    adapter,
    options.logger === false
      ? { logger: false, abortOnError: false, bodyParser: false }
      : { bufferLogs: true, abortOnError: false, bodyParser: false },
  );
  // Nest's own messages go through pino too, as JSON lines with the request's context.
  if (options.logger !== false) app.useLogger(app.get(NestPinoLogger));
  const fastify = app.getHttpAdapter().getInstance();
  enterRequestLogContext(fastify);
  acceptOnlyJsonBodies(fastify);
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  await secureHttp(fastify, config);
  app.useGlobalPipes(createValidationPipe());

  const builder = new DocumentBuilder()
    .setTitle('TaskFlow')
    .setDescription('Tasks that people and software agents move through a reviewed workflow.')
    .setVersion(applicationVersion())
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'tfk_<key id>_<secret>',
        description:
          'An API key (POST /api-keys), sent as `Authorization: Bearer tfk_…`. An operation ' +
          'names the scope a key needs in `x-credentials` (`session`: password sessions only).',
      },
      'api-key',
    );
  if (config.devMode) {
    builder.addApiKey(
      { type: 'apiKey', in: 'header', name: 'X-User-ID', description: 'Dev mode only' },
      'dev-user-id',
    );
  }
  const document = nameOperations(
    documentOptionalBodies(
      documentTransportProblems(
        documentIdempotencyKeys(
          SwaggerModule.createDocument(app, builder.build(), {
            operationIdFactory: operationIdsByRule,
          }),
          config.idempotencyTtlSeconds,
        ),
      ),
    ),
  );
  if (!config.devMode) withoutSecurityScheme(document, 'dev-user-id');
  withoutKeysOnSessionRoutes(document);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}

type Operation = { security?: Record<string, string[]>[]; [extension: string]: unknown };

/** A route that takes a password session only (@SessionOnly()) does not offer the key scheme. */
function withoutKeysOnSessionRoutes(document: OpenAPIObject): void {
  for (const path of Object.values(document.paths)) {
    for (const operation of Object.values(path) as Operation[]) {
      if (operation?.[CREDENTIALS_EXTENSION] !== SESSION_ONLY || !operation.security) continue;
      operation.security = operation.security.filter((requirement) => !('api-key' in requirement));
    }
  }
}

/** Outside dev mode X-User-ID is ignored, so no operation may offer it. */
function withoutSecurityScheme(document: OpenAPIObject, scheme: string): void {
  for (const path of Object.values(document.paths)) {
    for (const operation of Object.values(path) as { security?: Record<string, string[]>[] }[]) {
      if (!Array.isArray(operation?.security)) continue;
      operation.security = operation.security.filter((requirement) => !(scheme in requirement));
    }
  }
}
