import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { ConcurrencyConflict, Page, PageRequest } from '@taskflow/platform';
import { insertClaim, pageFrom, pageProbe } from '@taskflow/platform/mongo';
import type { Model } from 'mongoose';
import { parseEventTypes, WebhookEndpoint } from '../../domain/webhook';
import { WebhookRepository } from '../../ports/webhook.repository';
import { WebhookDocument } from './webhook.schemas';

const toDomain = (doc: WebhookDocument): WebhookEndpoint => ({
  id: doc._id,
  ownerId: doc.owner_id,
  url: doc.url,
  types: parseEventTypes(doc.types),
  description: doc.description ?? null,
  enabled: doc.enabled,
  disabledReason: doc.disabled_reason ?? null,
  secrets: doc.secrets.map((each) => ({ secret: each.secret, expiresAt: each.expires_at ?? null })),
  failingSince: doc.failing_since ?? null,
  createdAt: doc.created_at,
  updatedAt: doc.updated_at,
});

const editable = (endpoint: WebhookEndpoint) => ({
  url: endpoint.url,
  types: endpoint.types === null ? null : [...endpoint.types],
  description: endpoint.description,
  enabled: endpoint.enabled,
  disabled_reason: endpoint.disabledReason,
  secrets: endpoint.secrets.map((each) => ({ secret: each.secret, expires_at: each.expiresAt })),
  updated_at: endpoint.updatedAt,
});

@Injectable()
export class MongoWebhookRepository extends WebhookRepository {
  constructor(@InjectModel(WebhookDocument.name) private readonly hooks: Model<WebhookDocument>) {
    super();
  }

  async insert(endpoint: WebhookEndpoint): Promise<void> {
    await insertClaim(
      this.hooks,
      {
        _id: endpoint.id,
        owner_id: endpoint.ownerId,
        ...editable(endpoint),
        failing_since: endpoint.failingSince,
        created_at: endpoint.createdAt,
      },
      undefined,
      () => new ConcurrencyConflict('Webhook', endpoint.id),
    );
  }

  async findById(id: string): Promise<WebhookEndpoint | null> {
    const doc = await this.hooks.findById(id).lean<WebhookDocument>().exec();
    return doc ? toDomain(doc) : null;
  }

  async list(ownerId: string | null, page: PageRequest): Promise<Page<WebhookEndpoint>> {
    const filter: Record<string, unknown> = ownerId === null ? {} : { owner_id: ownerId };
    if (page.after !== null) filter._id = { $gt: page.after };
    const docs = await this.hooks
      .find(filter)
      .sort({ _id: 1 })
      .limit(pageProbe(page))
      .batchSize(pageProbe(page))
      .lean<WebhookDocument[]>()
      .exec();
    return pageFrom(docs, page, toDomain, (endpoint) => endpoint.id);
  }

  async save(endpoint: WebhookEndpoint): Promise<void> {
    await this.hooks.updateOne({ _id: endpoint.id }, { $set: editable(endpoint) });
  }

  async setFailingSince(id: string, since: Date | null): Promise<void> {
    await this.hooks.updateOne({ _id: id }, { $set: { failing_since: since } });
  }

  async disable(id: string, reason: string, at: Date): Promise<void> {
    await this.hooks.updateOne(
      { _id: id, enabled: true },
      { $set: { enabled: false, disabled_reason: reason, updated_at: at } },
    );
  }

  async delete(id: string): Promise<void> {
    await this.hooks.deleteOne({ _id: id });
  }

  async listEnabled(): Promise<WebhookEndpoint[]> {
    const docs = await this.hooks.find({ enabled: true }).lean<WebhookDocument[]>().exec();
    return docs.map(toDomain);
  }
}
