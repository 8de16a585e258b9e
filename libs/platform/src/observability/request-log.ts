import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger as PinoLogger } from 'pino';
import type { Actor } from '../domain/actor';
import { routeTemplate } from './logging';

/**
 * One JSON line per request, when the response is sent: request id (a binding of Fastify's
 * request logger), trace id, account id, route template, status and duration. Built only when
 * its level is on, so a level that hides it (LOG_LEVEL=warn) costs one comparison per request.
 */
@Injectable()
export class RequestLog implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    fastify?.addHook('onResponse', (request, reply, done) => {
      const level = reply.statusCode >= 500 ? 'error' : 'info';
      // Fastify's request logger is a child of our pino root logger (fastifyLoggerOptions).
      const log = request.log as PinoLogger;
      if (log.isLevelEnabled(level)) {
        log[level](
          {
            req: request,
            route: routeTemplate(request),
            account_id: (request as FastifyRequest & { actor?: Actor }).actor?.id ?? null,
            status: reply.statusCode,
            duration_ms: Math.round(reply.elapsedTime),
          },
          'request completed',
        );
      }
      done();
    });
  }
}
