import { Body, Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Idempotent } from '@taskflow/idempotency';
import { Actor, ApiProblems, RequestWithActor } from '@taskflow/platform';
import { AccountService } from '../application/account.service';
import { AccountDto, RegisterAccountDto } from './account.dto';
import {
  AnyCredential,
  ApiAuthenticated,
  CurrentActor,
  OptionalActor,
  SessionOnly,
} from './auth.decorators';

@ApiTags('accounts')
@ApiProblems(429)
@Controller()
export class UsersController {
  constructor(private readonly accounts: AccountService) {}

  @OptionalActor()
  @Post('users')
  @HttpCode(201)
  @ApiCreatedResponse({
    type: AccountDto,
    description:
      'The account was created. An admin (with its bearer token) may create an agent account ' +
      'without a password, which then works through API keys only.',
  })
  @ApiProblems(400, 409)
  async register(
    @Req() request: RequestWithActor,
    @Body() body: RegisterAccountDto,
  ): Promise<AccountDto> {
    return AccountDto.from(await this.accounts.register(body, request.actor ?? null));
  }

  @Get('me')
  @ApiAuthenticated()
  @AnyCredential()
  @ApiOkResponse({ type: AccountDto })
  async me(@CurrentActor() actor: Actor): Promise<AccountDto> {
    return AccountDto.from(await this.accounts.me(actor));
  }

  @Post('users/:id/disable')
  @SessionOnly()
  @Idempotent()
  @HttpCode(200)
  @ApiAuthenticated()
  @ApiOkResponse({ type: AccountDto, description: 'Disabled; its tokens stop working at once' })
  @ApiProblems(403, 404)
  async disable(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<AccountDto> {
    return AccountDto.from(await this.accounts.disable(actor, id));
  }

  @Post('users/:id/revoke-sessions')
  @SessionOnly()
  @Idempotent()
  @HttpCode(204)
  @ApiAuthenticated()
  @ApiNoContentResponse({ description: 'Every access and refresh token issued so far is refused' })
  @ApiProblems(403, 404)
  async revokeSessions(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<void> {
    await this.accounts.revokeSessions(actor, id);
  }
}
