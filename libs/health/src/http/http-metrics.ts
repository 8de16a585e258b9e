import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { METRIC, routeTemplate } from '@taskflow/platform';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { FastifyInstance } from 'fastify';
import type { Histogram } from 'prom-client';

/** Observes every response, labelled by route template (never the raw URL, whose ids would explode the series). */
@Injectable()
export class HttpMetrics implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @InjectMetric(METRIC.httpRequestDuration)
    private readonly duration: Histogram<'method' | 'route' | 'status_code'>,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    fastify?.addHook('onResponse', async (request, reply) => {
      this.duration.observe(
        {
          method: request.method,
          route: routeTemplate(request),
          status_code: String(reply.statusCode),
        },
        reply.elapsedTime / 1000,
      );
    });
  }
}
