import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheckService } from '@nestjs/terminus';
import { Public } from '@taskflow/identity';
import { ApiProblems, applicationVersion, StorageInfo } from '@taskflow/platform';
import { NoRateLimit } from '@taskflow/rate-limit';
import { ReadinessService } from '../application/readiness.service';
import { NotReady } from '../domain/not-ready';
import { HealthDto, ProbeDto } from './probes.dto';

@ApiTags('system')
@Public()
// Probes must answer whatever the clients do.
@NoRateLimit()
@Controller()
export class ProbesController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly readiness: ReadinessService,
    private readonly storage: StorageInfo,
  ) {}

  @Get('livez')
  @ApiOperation({
    operationId: 'getLiveness',
    summary: 'Liveness: the process can serve; checks no dependency on purpose',
  })
  @ApiOkResponse({ type: ProbeDto })
  livez(): Promise<ProbeDto> {
    return this.health.check([]);
  }

  @Get('readyz')
  @ApiOperation({
    operationId: 'getReadiness',
    summary: 'Readiness: every dependency check is up and the instance is not shutting down',
  })
  @ApiOkResponse({ type: ProbeDto })
  @ApiProblems(503)
  readyz(): Promise<ProbeDto> {
    return this.readiness.check();
  }

  @Get('health')
  @ApiOperation({ summary: 'Details for operators; always 200, with the readiness verdict' })
  @ApiOkResponse({ type: HealthDto })
  async healthDetails(): Promise<HealthDto> {
    let ready = true;
    let checks: Record<string, unknown>;
    try {
      checks = (await this.readiness.check()).details;
    } catch (error) {
      if (!(error instanceof NotReady)) throw error;
      ready = false;
      checks = error.details.checks as Record<string, unknown>;
    }
    return {
      status: ready ? 'ok' : 'not_ready',
      version: applicationVersion(),
      driver: this.storage.driver,
      transactions_supported: this.storage.transactionsSupported(),
      uptime_seconds: Math.round(process.uptime() * 10) / 10,
      checks,
    };
  }
}
