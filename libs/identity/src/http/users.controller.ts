import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Actor, ApiProblems } from '@taskflow/platform';
import { AccountService } from '../application/account.service';
import { AccountDto, RegisterAccountDto } from './account.dto';
import { ApiAuthenticated, CurrentActor, Public } from './auth.decorators';

@ApiTags('accounts')
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
}
