import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { EVENT_TYPES } from '../domain/event';

export const MAX_EVENT_PAGE = 500;
export const DEFAULT_EVENT_PAGE = 100;
export const MAX_WAIT_SECONDS = 30;

/** Only plain decimal digits become a number: Number() would also take ' 10', '0x10' or '1e2'. */
const digits = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value;

const ONE_TYPE = `(${EVENT_TYPES.map((t) => t.replace('.', '\\.')).join('|')})`;
const TYPE_LIST = new RegExp(`^${ONE_TYPE}(,${ONE_TYPE})*$`);

export class EventStreamQuery {
  @ApiPropertyOptional({
    description: 'A next_cursor (or an event id: line of the stream), or `now`; none: the oldest',
  })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  after?: string;

  @ApiPropertyOptional({ description: `Comma-separated event types (${EVENT_TYPES.join(', ')})` })
  @IsOptional()
  @IsString()
  @Matches(TYPE_LIST, {
    message: `types must be a comma-separated list of ${EVENT_TYPES.join(', ')}`,
  })
  types?: string;

  @ApiPropertyOptional({ maxLength: 64 })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  task_id?: string;
}

export class EventFeedQuery extends EventStreamQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_EVENT_PAGE, default: DEFAULT_EVENT_PAGE })
  @IsOptional()
  @Transform(digits)
  @IsInt()
  @Min(1)
  @Max(MAX_EVENT_PAGE)
  limit?: number;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: MAX_WAIT_SECONDS,
    default: 0,
    description: 'Seconds to wait for an event when there is none yet',
  })
  @IsOptional()
  @Transform(digits)
  @IsInt()
  @Min(0)
  @Max(MAX_WAIT_SECONDS)
  wait?: number;
}

export class EventDto {
  @ApiProperty({ example: 't_01jd3k8w9x2m4n6p8r0t2v4x6z:2', description: '<task id>:<version>' })
  id!: string;
  @ApiProperty({ example: 'task.assigned', enum: EVENT_TYPES }) type!: string;
  @ApiProperty() task_id!: string;
  @ApiProperty({ minimum: 1 }) version!: number;
  @ApiProperty() actor_id!: string;
  @ApiProperty({
    example: 'session',
    description: 'How the actor came in: session, api_key:<key id>, dev_header or system',
  })
  via!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ type: String, nullable: true }) from_status!: string | null;
  @ApiProperty() to_status!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: '{ field: { from, to } }',
  })
  changes!: Record<string, { from: unknown; to: unknown }>;
  @ApiProperty({ type: String, nullable: true }) request_id!: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The task as it stood after the change (without allowed_actions)',
  })
  task!: Record<string, unknown>;
}

export class EventPageDto {
  @ApiProperty({ type: [EventDto] }) items!: EventDto[];
  @ApiProperty({ description: 'Pass as `after` for the next page; never null' })
  next_cursor!: string;
}
