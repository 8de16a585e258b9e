import { Injectable } from '@nestjs/common';
import { ConcurrencyConflict, Page, PageRequest, pageOf } from '@taskflow/platform';
import type { WebhookEndpoint } from '../../domain/webhook';
import { WebhookRepository } from '../../ports/webhook.repository';

@Injectable()
export class MemoryWebhookRepository extends WebhookRepository {
  private readonly endpoints = new Map<string, WebhookEndpoint>();

  async insert(endpoint: WebhookEndpoint): Promise<void> {
    if (this.endpoints.has(endpoint.id)) throw new ConcurrencyConflict('Webhook', endpoint.id);
    this.endpoints.set(endpoint.id, endpoint);
  }

  async findById(id: string): Promise<WebhookEndpoint | null> {
    return this.endpoints.get(id) ?? null;
  }

  async list(ownerId: string | null, page: PageRequest): Promise<Page<WebhookEndpoint>> {
    const mine = [...this.endpoints.values()]
      .filter((endpoint) => ownerId === null || endpoint.ownerId === ownerId)
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    return pageOf(
      mine,
      (endpoint) => endpoint.id,
      page,
      (cursor) => cursor,
    );
  }

  async save(endpoint: WebhookEndpoint): Promise<void> {
    const stored = this.endpoints.get(endpoint.id);
    if (!stored) return;
    this.endpoints.set(endpoint.id, {
      ...endpoint,
      failingSince: stored.failingSince,
    });
  }

  async setFailingSince(id: string, since: Date | null): Promise<void> {
    const stored = this.endpoints.get(id);
    if (stored) this.endpoints.set(id, { ...stored, failingSince: since });
  }

  async disable(id: string, reason: string, at: Date): Promise<void> {
    const stored = this.endpoints.get(id);
    if (stored?.enabled) {
      this.endpoints.set(id, { ...stored, enabled: false, disabledReason: reason, updatedAt: at });
    }
  }

  async delete(id: string): Promise<void> {
    this.endpoints.delete(id);
  }

  async listEnabled(): Promise<WebhookEndpoint[]> {
    return [...this.endpoints.values()].filter((endpoint) => endpoint.enabled);
  }
}
