import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** A map of check name to its result: `{ "mongo": { "status": "up" } }`. */
const CHECKS_SCHEMA = {
  type: 'object' as const,
  additionalProperties: {
    type: 'object',
    properties: { status: { type: 'string', enum: ['up', 'down', 'degraded'] } },
    additionalProperties: true,
  },
};

/** @nestjs/terminus's result body. */
export class ProbeDto {
  @ApiProperty({ example: 'ok', enum: ['ok', 'degraded'] }) status!: string;
  @ApiPropertyOptional({ ...CHECKS_SCHEMA, description: 'Checks that are up' })
  info?: Record<string, unknown>;
  @ApiPropertyOptional({ ...CHECKS_SCHEMA, description: 'Checks that are down' })
  error?: Record<string, unknown>;
  @ApiProperty({ ...CHECKS_SCHEMA, example: { serving: { status: 'up' } } })
  details!: Record<string, unknown>;
}

export class HealthDto {
  @ApiProperty({ enum: ['ok', 'not_ready'], description: 'Whether /readyz would answer 200' })
  status!: 'ok' | 'not_ready';
  @ApiProperty({ example: '0.1.0', description: 'From package.json' }) version!: string;
  @ApiProperty({ enum: ['memory', 'mongo'] }) driver!: string;
  @ApiProperty({
    type: Boolean,
    nullable: true,
    description: 'Whether writes run in database transactions; null on the memory driver',
  })
  transactions_supported!: boolean | null;
  @ApiProperty({ example: 12.3, description: 'Seconds since the process started' })
  uptime_seconds!: number;
  @ApiProperty({ ...CHECKS_SCHEMA, description: 'The readiness checks, as /readyz runs them' })
  checks!: Record<string, unknown>;
}
