import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Public } from '@taskflow/identity';
import { NoRateLimit } from '@taskflow/platform';

export class ProbeDto {
  @ApiProperty({ example: 'ok' }) status!: string;
}

@ApiTags('system')
@Public()
// Probes must answer whatever the clients do.
@NoRateLimit()
@Controller()
export class ProbesController {
  /** Liveness: answers while the process can serve; checks no dependency on purpose. */
  @Get('livez')
  @ApiOkResponse({ type: ProbeDto })
  livez(): ProbeDto {
    return { status: 'ok' };
  }
}
