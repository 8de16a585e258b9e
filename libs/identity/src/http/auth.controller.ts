import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiProblems } from '@taskflow/platform';
import { LimitLoginAttempts } from '@taskflow/rate-limit';
import { PasswordResetService } from '../application/password-reset.service';
import { SessionService } from '../application/session.service';
import {
  AcceptedDto,
  LoginDto,
  PasswordResetConfirmDto,
  PasswordResetRequestDto,
  RefreshDto,
  TokenPairDto,
} from './auth.dto';
import { Public } from './auth.decorators';

@ApiTags('auth')
@Public()
@ApiProblems(429)
@Controller('auth')
export class AuthController {
  constructor(
    private readonly sessions: SessionService,
    private readonly passwordReset: PasswordResetService,
  ) {}

  @Post('login')
  @ApiOperation({ operationId: 'login' })
  @LimitLoginAttempts()
  @HttpCode(200)
  @ApiOkResponse({ type: TokenPairDto })
  @ApiProblems(400, 401)
  async login(@Body() body: LoginDto): Promise<TokenPairDto> {
    return TokenPairDto.from(await this.sessions.login(body.id, body.password));
  }

  @Post('refresh')
  @ApiOperation({ operationId: 'refreshToken' })
  @HttpCode(200)
  @ApiOkResponse({ type: TokenPairDto, description: 'A new pair; the refresh token is rotated' })
  @ApiProblems(400, 401)
  async refresh(@Body() body: RefreshDto): Promise<TokenPairDto> {
    return TokenPairDto.from(await this.sessions.refresh(body.refresh_token));
  }

  @Post('password-reset/request')
  @ApiOperation({ operationId: 'requestPasswordReset' })
  @HttpCode(202)
  @ApiAcceptedResponse({
    type: AcceptedDto,
    description: 'The same answer whether or not the account exists',
  })
  @ApiProblems(400)
  async requestPasswordReset(@Body() body: PasswordResetRequestDto): Promise<AcceptedDto> {
    await this.passwordReset.request(body.id);
    return {
      detail: 'If the account exists and has an email address, a reset token is on its way',
    };
  }

  @Post('password-reset/confirm')
  @ApiOperation({ operationId: 'confirmPasswordReset' })
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The password is set and every session is revoked' })
  @ApiProblems(400)
  async confirmPasswordReset(@Body() body: PasswordResetConfirmDto): Promise<void> {
    await this.passwordReset.confirm(body.token, body.new_password);
  }
}
