import type { Page, PageRequest } from '@taskflow/platform/domain';
import type { WebhookEndpoint } from '../domain/webhook';

export abstract class WebhookRepository {
  abstract insert(endpoint: WebhookEndpoint): Promise<void>;
  abstract findById(id: string): Promise<WebhookEndpoint | null>;
  /** Oldest first; `ownerId` null lists every endpoint (admins). The cursor is the last id. */
  abstract list(ownerId: string | null, page: PageRequest): Promise<Page<WebhookEndpoint>>;
  /** Replaces what its owner may edit: url, types, description, enabled, secrets. */
  abstract save(endpoint: WebhookEndpoint): Promise<void>;
  /** The dispatcher's marks, field by field, so they never undo an owner's edit. */
  abstract setFailingSince(id: string, since: Date | null): Promise<void>;
  abstract disable(id: string, reason: string, at: Date): Promise<void>;
  abstract delete(id: string): Promise<void>;
  abstract listEnabled(): Promise<WebhookEndpoint[]>;
}
