import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Idempotent } from '@taskflow/idempotency';
import { Actor, ApiProblems } from '@taskflow/platform';
import { AccountService } from '../application/account.service';
import { AccountDto, RegisterAccountDto } from './account.dto';
import { ApiAuthenticated, CurrentActor, Public } from './auth.decorators';

@ApiTags('accounts')
@ApiProblems(429)
@Controller()
export class UsersController {
  constructor(private readonly accounts: AccountService) {}

  @Public()
  @Post('users')
  @HttpCode(201)
  @ApiCreatedResponse({ type: AccountDto, description: 'The account was created' })
  @ApiProblems(400, 409)
  async register(@Body() body: RegisterAccountDto): Promise<AccountDto> {
    return AccountDto.from(await this.accounts.register(body));
  }

  @Get('me')
  @ApiAuthenticated()
  @ApiOkResponse({ type: AccountDto })
  async me(@CurrentActor() actor: Actor): Promise<AccountDto> {
    return AccountDto.from(await this.accounts.me(actor));
  }

  @Post('users/:id/disable')
  @Idempotent()
  @HttpCode(200)
  @ApiAuthenticated()
  @ApiOkResponse({ type: AccountDto, description: 'Disabled; its tokens stop working at once' })
  @ApiProblems(403, 404)
  async disable(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<AccountDto> {
    return AccountDto.from(await this.accounts.disable(actor, id));
  }

  @Post('users/:id/revoke-sessions')
  @Idempotent()
  @HttpCode(204)
  @ApiAuthenticated()
  @ApiNoContentResponse({ description: 'Every access and refresh token issued so far is refused' })
  @ApiProblems(403, 404)
  async revokeSessions(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<void> {
    await this.accounts.revokeSessions(actor, id);
  }
}
