import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiExtension,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Idempotent } from '@taskflow/idempotency';
import { ApiAuthenticated, CurrentActor, RequiresScope } from '@taskflow/identity';
import { Actor, ApiProblems, encodeCursor, PageQuery, pageRequestFrom } from '@taskflow/platform';
import { WebhookService } from '../application/webhook.service';
import { isAttemptCursor } from '../domain/delivery';
import {
  CreateWebhookDto,
  DeliveryAttemptDto,
  DeliveryAttemptListDto,
  ReplayDto,
  ReplayWebhookDto,
  UpdateWebhookDto,
  WebhookDto,
  WebhookListDto,
  WebhookWithSecretDto,
} from './webhook.dto';

/** The answer holds the signing secret, so an Idempotency-Key replay could not repeat it. */
const ShowsSecretOnce = (): MethodDecorator =>
  ApiExtension('x-not-replayable', 'The answer holds the secret, which is shown once');

const isEndpointCursor = (key: string): boolean => /^wh_[0-9a-z]{26}$/.test(key);

@ApiTags('webhooks')
@ApiAuthenticated()
@RequiresScope('webhooks:manage')
@ApiProblems(429)
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhookService) {}

  @Post()
  @HttpCode(201)
  @ShowsSecretOnce()
  @ApiCreatedResponse({ type: WebhookWithSecretDto, description: 'The endpoint and its secret' })
  @ApiProblems(400, 422)
  async create(
    @CurrentActor() actor: Actor,
    @Body() body: CreateWebhookDto,
  ): Promise<WebhookWithSecretDto> {
    const { endpoint, secret } = await this.webhooks.create(actor, body);
    return WebhookWithSecretDto.withSecret(endpoint, secret);
  }

  @Get()
  @ApiOkResponse({
    type: WebhookListDto,
    description: 'Your endpoints (admins: all), oldest first',
  })
  @ApiProblems(400)
  async list(@CurrentActor() actor: Actor, @Query() query: PageQuery): Promise<WebhookListDto> {
    const page = await this.webhooks.list(actor, pageRequestFrom(query, isEndpointCursor));
    return { items: page.items.map(WebhookDto.from), next_cursor: encodeCursor(page.nextCursor) };
  }

  @Get(':id')
  @ApiOkResponse({ type: WebhookDto })
  @ApiProblems(404)
  async get(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<WebhookDto> {
    return WebhookDto.from(await this.webhooks.get(actor, id));
  }

  @Patch(':id')
  @Idempotent()
  @ApiOkResponse({ type: WebhookDto })
  @ApiProblems(400, 404, 422)
  async update(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() body: UpdateWebhookDto,
  ): Promise<WebhookDto> {
    return WebhookDto.from(await this.webhooks.update(actor, id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted, with its pending deliveries and its log' })
  @ApiProblems(404)
  async delete(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<void> {
    await this.webhooks.delete(actor, id);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @ShowsSecretOnce()
  @ApiOkResponse({
    type: WebhookWithSecretDto,
    description: 'The new secret, shown once; for 24 h deliveries carry both signatures',
  })
  @ApiProblems(404)
  async rotate(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
  ): Promise<WebhookWithSecretDto> {
    const { endpoint, secret } = await this.webhooks.rotateSecret(actor, id);
    return WebhookWithSecretDto.withSecret(endpoint, secret);
  }

  @Get(':id/deliveries')
  @ApiOkResponse({ type: DeliveryAttemptListDto, description: 'Delivery attempts, newest first' })
  @ApiProblems(400, 404)
  async deliveries(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Query() query: PageQuery,
  ): Promise<DeliveryAttemptListDto> {
    const page = await this.webhooks.attempts(actor, id, pageRequestFrom(query, isAttemptCursor));
    return {
      items: page.items.map(DeliveryAttemptDto.from),
      next_cursor: encodeCursor(page.nextCursor),
    };
  }

  @Post(':id/replay')
  @HttpCode(202)
  @Idempotent()
  @ApiAcceptedResponse({
    type: ReplayDto,
    description:
      "Every subscribed event after the cursor, up to the log's end now, that you may see is owed again; the dispatcher works through them (resumed after a restart)",
  })
  @ApiProblems(400, 404)
  async replay(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() body: ReplayWebhookDto,
  ): Promise<ReplayDto> {
    const { replayId, status } = await this.webhooks.replay(actor, id, body.after);
    return { replay_id: replayId, status };
  }
}
