import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsByteLength,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  ValidateIf,
  MaxLength,
  MinLength,
} from 'class-validator';
import {
  ACCOUNT_STATUSES,
  AccountState,
  PASSWORD_MAX_BYTES,
  PASSWORD_MIN_LENGTH,
  SELF_SERVICE_ROLES,
} from '../domain/account';

/**
 * A new password field: the policy in the schema and in validation. bcrypt's byte limit is
 * checked where the field is named; the domain checks it again for every caller.
 */
export const NewPassword = (field: string): PropertyDecorator =>
  applyDecorators(
    ApiProperty({
      minLength: PASSWORD_MIN_LENGTH,
      maxLength: PASSWORD_MAX_BYTES,
      description: `At least ${PASSWORD_MIN_LENGTH} characters and at most ${PASSWORD_MAX_BYTES} bytes in UTF-8`,
    }),
    IsString(),
    MinLength(PASSWORD_MIN_LENGTH),
    IsByteLength(0, PASSWORD_MAX_BYTES, {
      message: `${field} must be at most ${PASSWORD_MAX_BYTES} bytes in UTF-8`,
    }),
  );

export const ACCOUNT_ID_PATTERN = /^[a-z0-9][a-z0-9_.-]{2,63}$/;

export class RegisterAccountDto {
  @ApiProperty({ pattern: ACCOUNT_ID_PATTERN.source, example: 'u_carol' })
  @IsString()
  @Matches(ACCOUNT_ID_PATTERN, {
    message: 'id must be 3-64 characters: lowercase letters, digits, and _ . - (not first)',
  })
  id!: string;

  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Carol' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @ApiProperty({ enum: SELF_SERVICE_ROLES })
  @IsIn(SELF_SERVICE_ROLES)
  role!: (typeof SELF_SERVICE_ROLES)[number];

  @ApiPropertyOptional({
    description: 'Required, except for an agent account an admin creates (API keys only)',
  })
  // Absent is allowed, null is not: @IsOptional() would let null through to bcrypt.
  @ValidateIf((body: RegisterAccountDto) => body.password !== undefined)
  @NewPassword('password')
  password?: string;

  @ApiPropertyOptional({ format: 'email', maxLength: 254 })
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;
}

export class AccountDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['human', 'agent', 'admin'] }) role!: string;
  @ApiProperty({ type: String, nullable: true, format: 'email' }) email!: string | null;
  @ApiProperty({ enum: ACCOUNT_STATUSES }) status!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;

  static from(account: AccountState): AccountDto {
    return {
      id: account.id,
      name: account.name,
      role: account.role,
      email: account.email,
      status: account.status,
      created_at: account.createdAt.toISOString(),
    };
  }
}
