import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiExtension,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Actor, ApiProblems } from '@taskflow/platform';
import { ApiKeyService } from '../application/api-key.service';
import { ApiKeyDto, ApiKeyListDto, CreateApiKeyDto, CreatedApiKeyDto } from './api-key.dto';
import { ApiAuthenticated, CurrentActor, SessionOnly } from './auth.decorators';

/**
 * The answer to a create holds the key itself, so it is not stored for an Idempotency-Key
 * replay: the key would then sit in the idempotency store in clear (docs/DECISIONS.md).
 */
const ShowsSecretOnce = (): MethodDecorator =>
  ApiExtension('x-not-replayable', 'The answer holds the key, which is never stored');

@ApiTags('api-keys')
@ApiAuthenticated()
@SessionOnly()
@ApiProblems(429)
@Controller()
export class ApiKeysController {
  constructor(private readonly keys: ApiKeyService) {}

  @Post('api-keys')
  @HttpCode(201)
  @ShowsSecretOnce()
  @ApiCreatedResponse({ type: CreatedApiKeyDto, description: 'The key, shown this once' })
  @ApiProblems(400)
  async create(
    @CurrentActor() actor: Actor,
    @Body() body: CreateApiKeyDto,
  ): Promise<CreatedApiKeyDto> {
    return this.createFor(actor, actor.id, body);
  }

  @Post('users/:id/api-keys')
  @HttpCode(201)
  @ShowsSecretOnce()
  @ApiCreatedResponse({ type: CreatedApiKeyDto, description: 'The key, shown this once' })
  @ApiProblems(400, 404, 422)
  async createForAccount(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() body: CreateApiKeyDto,
  ): Promise<CreatedApiKeyDto> {
    return this.createFor(actor, id, body);
  }

  @Get('api-keys')
  @ApiOkResponse({ type: ApiKeyListDto, description: 'Your keys, revoked and expired included' })
  async list(@CurrentActor() actor: Actor): Promise<ApiKeyListDto> {
    return { items: (await this.keys.list(actor, actor.id)).map(ApiKeyDto.from) };
  }

  @Get('users/:id/api-keys')
  @ApiOkResponse({ type: ApiKeyListDto, description: "The account's keys (admin)" })
  @ApiProblems(404)
  async listForAccount(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
  ): Promise<ApiKeyListDto> {
    return { items: (await this.keys.list(actor, id)).map(ApiKeyDto.from) };
  }

  @Delete('api-keys/:id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Revoked: every instance refuses the key from now on' })
  @ApiProblems(404)
  async revoke(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<void> {
    await this.keys.revoke(actor, id);
  }

  private async createFor(actor: Actor, accountId: string, body: CreateApiKeyDto) {
    const issued = await this.keys.create(actor, accountId, {
      name: body.name,
      scopes: body.scopes,
      expiresInDays: body.expires_in_days,
    });
    return CreatedApiKeyDto.issued(issued);
  }
}
