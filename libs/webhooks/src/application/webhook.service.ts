import { Injectable } from '@nestjs/common';
import { Actor, Clock, isAdmin, newId, Page, PageRequest } from '@taskflow/platform';
import { DeliveryAttempt, replayStreamOf } from '../domain/delivery';
import {
  newSigningSecret,
  rotateSecret,
  WebhookEndpoint,
  WebhookEventType,
  WebhookNotFound,
} from '../domain/webhook';
import { DeliveryRepository } from '../ports/delivery.repository';
import { WebhookEventSource } from '../ports/webhook-event-source';
import { WebhookRepository } from '../ports/webhook.repository';
import { UrlGuard } from './url-guard';

export interface NewWebhook {
  readonly url: string;
  readonly types?: readonly WebhookEventType[] | null;
  readonly description?: string | null;
}

export interface WebhookChanges {
  readonly url?: string;
  readonly types?: readonly WebhookEventType[] | null;
  readonly description?: string | null;
  readonly enabled?: boolean;
}

/** An endpoint with the secret it was just given, shown this once. */
export interface WebhookWithSecret {
  readonly endpoint: WebhookEndpoint;
  readonly secret: string;
}

/** Owner-scoped management of endpoints; someone else's endpoint is 404 (admins: all). */
@Injectable()
export class WebhookService {
  constructor(
    private readonly endpoints: WebhookRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly events: WebhookEventSource,
    private readonly guard: UrlGuard,
    private readonly clock: Clock,
  ) {}

  async create(actor: Actor, input: NewWebhook): Promise<WebhookWithSecret> {
    await this.guard.check(input.url);
    const now = this.clock.now();
    const secret = newSigningSecret();
    const endpoint: WebhookEndpoint = {
      id: newId('wh'),
      ownerId: actor.id,
      url: input.url,
      types: input.types && input.types.length > 0 ? [...new Set(input.types)] : null,
      description: input.description ?? null,
      enabled: true,
      disabledReason: null,
      secrets: [{ secret, expiresAt: null }],
      failingSince: null,
      createdAt: now,
      updatedAt: now,
    };
    // The endpoint follows the log from its end: it is owed the events that come after it.
    const position = await this.events.start('now');
    await this.deliveries.claimStep({ endpointId: endpoint.id, n: 0, position, at: now });
    await this.endpoints.insert(endpoint);
    return { endpoint, secret };
  }

  list(actor: Actor, page: PageRequest): Promise<Page<WebhookEndpoint>> {
    return this.endpoints.list(isAdmin(actor) ? null : actor.id, page);
  }

  async get(actor: Actor, id: string): Promise<WebhookEndpoint> {
    const endpoint = await this.endpoints.findById(id);
    if (!endpoint || (!isAdmin(actor) && endpoint.ownerId !== actor.id)) {
      throw new WebhookNotFound(id);
    }
    return endpoint;
  }

  async update(actor: Actor, id: string, changes: WebhookChanges): Promise<WebhookEndpoint> {
    const endpoint = await this.get(actor, id);
    if (changes.url !== undefined) await this.guard.check(changes.url);
    const enabling = changes.enabled === true && !endpoint.enabled;
    const updated: WebhookEndpoint = {
      ...endpoint,
      url: changes.url ?? endpoint.url,
      types:
        changes.types === undefined
          ? endpoint.types
          : changes.types && changes.types.length > 0
            ? [...new Set(changes.types)]
            : null,
      description: changes.description === undefined ? endpoint.description : changes.description,
      enabled: changes.enabled ?? endpoint.enabled,
      // Turning an endpoint back on clears why it was off and starts its failure count afresh.
      disabledReason: changes.enabled === undefined ? endpoint.disabledReason : null,
      failingSince: enabling ? null : endpoint.failingSince,
      updatedAt: this.clock.now(),
    };
    await this.endpoints.save(updated);
    return updated;
  }

  async delete(actor: Actor, id: string): Promise<void> {
    await this.get(actor, id);
    await this.endpoints.delete(id);
    await this.deliveries.deleteForEndpoint(id);
  }

  async rotateSecret(actor: Actor, id: string): Promise<WebhookWithSecret> {
    const rotated = rotateSecret(await this.get(actor, id), this.clock.now());
    await this.endpoints.save(rotated);
    return { endpoint: rotated, secret: rotated.secrets[0].secret };
  }

  async attempts(actor: Actor, id: string, page: PageRequest): Promise<Page<DeliveryAttempt>> {
    await this.get(actor, id);
    return this.deliveries.listAttempts(id, page);
  }

  /**
   * Owes again every subscribed event after the cursor, up to the log's end now, that the owner
   * may see — as new deliveries under a replay id (the `webhook-id` stays the event id, so
   * receivers still drop repeats). Only the range is written here: the dispatcher works through
   * it with the replay's own cursor, so a replay survives a restart (docs/WEBHOOKS.md).
   */
  async replay(
    actor: Actor,
    id: string,
    after: string,
  ): Promise<{ replayId: string; status: 'running' }> {
    const endpoint = await this.get(actor, id);
    const position = await this.events.start(after);
    const until = await this.events.start('now');
    const replayId = newId('rp');
    const now = this.clock.now();
    // The cursor first: a replay without its cursor would never move (one without its replay
    // document is never read).
    await this.deliveries.claimStep({
      endpointId: replayStreamOf(endpoint.id, replayId),
      n: 0,
      position,
      at: now,
    });
    await this.deliveries.addReplay({
      id: replayId,
      endpointId: endpoint.id,
      until,
      createdAt: now,
      finishedAt: null,
    });
    return { replayId, status: 'running' };
  }
}
