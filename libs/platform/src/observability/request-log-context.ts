import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { FASTIFY_REQUEST } from './logging';

/** Links Node's request to Fastify's, so the request log line can name the route and the actor. */
@Injectable()
export class RequestLogContext implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    fastify?.addHook('onRequest', async (request) => {
      Object.assign(request.raw, { [FASTIFY_REQUEST]: request });
    });
  }
}
