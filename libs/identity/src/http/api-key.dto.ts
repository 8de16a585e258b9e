import { ApiProperty } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import type { IssuedApiKey } from '../application/api-key.service';
import { API_KEY_MAX_DAYS, API_KEY_SCOPES, ApiKey, ApiKeyScope } from '../domain/api-key';

export class CreateApiKeyDto {
  @ApiProperty({ minLength: 1, maxLength: 100, example: 'nightly triage agent' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name!: string;

  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true, minItems: 1, uniqueItems: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(API_KEY_SCOPES.length)
  @ArrayUnique()
  @IsIn(API_KEY_SCOPES, { each: true })
  scopes!: ApiKeyScope[];

  @ApiProperty({ minimum: 1, maximum: API_KEY_MAX_DAYS, example: 90 })
  @IsInt()
  @Min(1)
  @Max(API_KEY_MAX_DAYS)
  expires_in_days!: number;
}

export class ApiKeyDto {
  @ApiProperty({ example: 'ak_01j9zq3v6w8x0y1z2a3b4c5d6e' }) id!: string;
  @ApiProperty() account_id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true }) scopes!: string[];
  @ApiProperty({ format: 'date-time' }) expires_at!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  last_used_at!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  revoked_at!: string | null;

  static from(key: ApiKey): ApiKeyDto {
    return {
      id: key.id,
      account_id: key.accountId,
      name: key.name,
      scopes: [...key.scopes],
      expires_at: key.expiresAt.toISOString(),
      created_at: key.createdAt.toISOString(),
      last_used_at: key.lastUsedAt?.toISOString() ?? null,
      revoked_at: key.revokedAt?.toISOString() ?? null,
    };
  }
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({
    description: 'The key, shown only in this answer: send it as `Authorization: Bearer <key>`',
    example: 'tfk_ak_01j9zq3v6w8x0y1z2a3b4c5d6e_…',
  })
  key!: string;

  static issued(issued: IssuedApiKey): CreatedApiKeyDto {
    return { ...ApiKeyDto.from(issued.key), key: issued.text };
  }
}

export class ApiKeyListDto {
  @ApiProperty({ type: [ApiKeyDto] }) items!: ApiKeyDto[];
}
