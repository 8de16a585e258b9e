import type { Actor } from '@taskflow/platform/domain';
import type { WebhookEvent } from '../domain/delivery';

export interface EventBatch {
  /** Events the owner may see, in log order. */
  readonly events: WebhookEvent[];
  /** The position after the last entry read, seen or not. */
  readonly next: string;
}

/**
 * The event log as webhooks read it (DESIGN §9): positions are opaque strings, reads go only as
 * far as entries can no longer appear behind them, and visibility is the owner's, judged now.
 */
export abstract class WebhookEventSource {
  /** The position of a feed cursor (400 when it names no entry), or of the log's end (`now`). */
  abstract start(after: string): Promise<string>;
  /**
   * Events after `position`; with `until`, none after it, and `next` stops there (a batch whose
   * `next` is `until` has reached the end of the range).
   */
  abstract read(
    owner: Actor,
    position: string,
    types: readonly string[] | null,
    limit: number,
    until?: string,
  ): Promise<EventBatch>;
  /** Calls `listener` whenever new entries may be readable; returns the unsubscribe. */
  abstract watch(listener: () => void): () => void;
  /**
   * The ids of the events' tasks the owner may still see now (checked before every send; one
   * read for a batch).
   */
  abstract visibleTasks(owner: Actor, events: readonly WebhookEvent[]): Promise<Set<string>>;
}
