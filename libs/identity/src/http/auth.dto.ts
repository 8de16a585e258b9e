import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import type { TokenPair } from '../application/session.service';
import { NewPassword } from './account.dto';

/** Bounds what reaches bcrypt or a hash; real tokens and ids are far shorter. */
const MAX_INPUT = 1024;

export class LoginDto {
  @ApiProperty({ example: 'u_alice' })
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_INPUT)
  id!: string;

  @ApiProperty({ example: 'taskflow-dev-password' })
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_INPUT)
  password!: string;
}

export class RefreshDto {
  @ApiProperty({ description: 'The refresh token from the last login or refresh' })
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_INPUT)
  refresh_token!: string;
}

export class PasswordResetRequestDto {
  @ApiProperty({ example: 'u_alice', description: 'The account id; the mail goes to its email' })
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_INPUT)
  id!: string;
}

export class PasswordResetConfirmDto {
  @ApiProperty({ description: 'The token from the reset mail' })
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_INPUT)
  token!: string;

  @NewPassword('new_password')
  new_password!: string;
}

export class TokenPairDto {
  @ApiProperty({ description: 'JWT (HS256) for Authorization: Bearer' }) access_token!: string;
  @ApiProperty({ description: 'Opaque; rotated on every refresh' }) refresh_token!: string;
  @ApiProperty({ enum: ['Bearer'] }) token_type!: 'Bearer';
  @ApiProperty({ description: 'Seconds until the access token expires', example: 900 })
  expires_in!: number;

  static from(pair: TokenPair): TokenPairDto {
    return {
      access_token: pair.accessToken,
      refresh_token: pair.refreshToken,
      token_type: 'Bearer',
      expires_in: pair.expiresInSeconds,
    };
  }
}

export class AcceptedDto {
  @ApiProperty({
    example: 'If the account exists and has an email address, a reset token is on its way',
  })
  detail!: string;
}
