import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Public } from '@taskflow/identity';
import { NoRateLimit } from '@taskflow/rate-limit';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import type { FastifyReply } from 'fastify';
import { collectDefaultMetrics, register } from 'prom-client';

/** The Prometheus scrape endpoint (the path is set by PrometheusModule), public like the probes. */
@ApiTags('system')
@Public()
// Scrapes come every few seconds from the same address, whatever the clients do.
@NoRateLimit()
@Controller()
export class MetricsController extends PrometheusController {
  @Get()
  @ApiOperation({
    operationId: 'getMetrics',
    summary: 'Prometheus metrics (text exposition format)',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Process, HTTP and application metrics', type: String })
  override index(@Res({ passthrough: true }) response: FastifyReply): Promise<string> {
    return super.index(response);
  }
}

/**
 * Process and Node.js metrics (CPU, memory, event loop lag, GC) on the default registry, once
 * per process: prom-client refuses a second registration, and tests build several apps.
 */
export function collectProcessMetrics(): void {
  if (register.getSingleMetric('process_cpu_user_seconds_total') === undefined) {
    collectDefaultMetrics();
  }
}
