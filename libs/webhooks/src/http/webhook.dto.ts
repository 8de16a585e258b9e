import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  MaxLength,
  MinLength,
} from 'class-validator';
import type { DeliveryAttempt } from '../domain/delivery';
import { WEBHOOK_EVENT_TYPES, WebhookEndpoint, WebhookEventType } from '../domain/webhook';

const URL_EXAMPLE = 'https://hooks.example.com/taskflow';

export class CreateWebhookDto {
  @ApiProperty({ maxLength: 2048, example: URL_EXAMPLE, description: 'http or https' })
  @IsString()
  @MinLength(1)
  @MaxLength(2048)
  url!: string;

  @ApiPropertyOptional({
    enum: WEBHOOK_EVENT_TYPES,
    isArray: true,
    nullable: true,
    description: 'The event types to send; absent, null or empty: all',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(0)
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true })
  types?: WebhookEventType[] | null;

  @ApiPropertyOptional({ type: String, maxLength: 500, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string | null;
}

export class UpdateWebhookDto extends CreateWebhookDto {
  @ApiPropertyOptional({ maxLength: 2048, example: URL_EXAMPLE })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(2048)
  declare url: string;

  @ApiPropertyOptional({ description: 'Turning an endpoint back on clears disabled_reason' })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class ReplayWebhookDto {
  @ApiProperty({
    description: 'An event cursor (a next_cursor of GET /events, or an event stream id:)',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(512)
  after!: string;
}

export class WebhookDto {
  @ApiProperty({ example: 'wh_01j9zq3v6w8x0y1z2a3b4c5d6e' }) id!: string;
  @ApiProperty() owner_id!: string;
  @ApiProperty({ example: URL_EXAMPLE }) url!: string;
  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true, nullable: true })
  types!: string[] | null;
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ type: String, nullable: true, description: 'Why the API turned it off' })
  disabled_reason!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;

  static from(endpoint: WebhookEndpoint): WebhookDto {
    return {
      id: endpoint.id,
      owner_id: endpoint.ownerId,
      url: endpoint.url,
      types: endpoint.types === null ? null : [...endpoint.types],
      description: endpoint.description,
      enabled: endpoint.enabled,
      disabled_reason: endpoint.disabledReason,
      created_at: endpoint.createdAt.toISOString(),
      updated_at: endpoint.updatedAt.toISOString(),
    };
  }
}

export class WebhookWithSecretDto extends WebhookDto {
  @ApiProperty({
    description: 'The signing secret, shown only in this answer (`whsec_` + base64 of 32 bytes)',
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  })
  secret!: string;

  static withSecret(endpoint: WebhookEndpoint, secret: string): WebhookWithSecretDto {
    return { ...WebhookDto.from(endpoint), secret };
  }
}

export class WebhookListDto {
  @ApiProperty({ type: [WebhookDto] }) items!: WebhookDto[];
  @ApiProperty({ type: String, nullable: true }) next_cursor!: string | null;
}

export class DeliveryAttemptDto {
  @ApiProperty({ description: '`<webhook id>:<event id>[~<replay id>]:<attempt>`' }) id!: string;
  @ApiProperty({ example: 'tk_01j9zq3v6w8x0y1z2a3b4c5d6e:3' }) event_id!: string;
  @ApiProperty({ minimum: 1 }) attempt!: number;
  @ApiProperty({ enum: ['pending', 'succeeded', 'failed'] }) status!: string;
  @ApiProperty({ type: Number, nullable: true }) response_status!: number | null;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
  @ApiProperty({ type: Number, nullable: true }) duration_ms!: number | null;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  next_attempt_at!: string | null;

  static from(attempt: DeliveryAttempt): DeliveryAttemptDto {
    return {
      id: attempt.id,
      event_id: attempt.eventId,
      attempt: attempt.attempt,
      status: attempt.status,
      response_status: attempt.responseStatus,
      error: attempt.error,
      duration_ms: attempt.durationMs,
      at: attempt.at.toISOString(),
      next_attempt_at: attempt.nextAttemptAt?.toISOString() ?? null,
    };
  }
}

export class DeliveryAttemptListDto {
  @ApiProperty({ type: [DeliveryAttemptDto] }) items!: DeliveryAttemptDto[];
  @ApiProperty({ type: String, nullable: true }) next_cursor!: string | null;
}

export class ReplayDto {
  @ApiProperty({ example: 'rp_01j9zq3v6w8x0y1z2a3b4c5d6e' }) replay_id!: string;
  @ApiProperty({
    enum: ['running'],
    description:
      'The replay is under way: its deliveries appear in the delivery log (ids with ~<replay_id>) as the dispatcher reaches them',
  })
  status!: 'running';
}
