import { Injectable } from '@nestjs/common';
import {
  actionOfType,
  EventFeed,
  EventLogNotifier,
  LogPosition,
  TaskHistoryAccess,
} from '@taskflow/audit';
import type { Actor } from '@taskflow/platform';
import type { WebhookEvent } from '../domain/delivery';
import { EventBatch, WebhookEventSource } from '../ports/webhook-event-source';

const encode = (position: LogPosition): string => `${position.seq}/${position.id}`;
const decode = (text: string): LogPosition => {
  const slash = text.indexOf('/');
  return { seq: Number(text.slice(0, slash)), id: text.slice(slash + 1) };
};

/** Log order: by seq, then by entry id. */
const before = (a: LogPosition, b: LogPosition): boolean =>
  a.seq < b.seq || (a.seq === b.seq && a.id < b.id);

/** The event log of the Audit module (its feed: cursor, horizon, visibility) as webhooks read it. */
@Injectable()
export class AuditEventSource extends WebhookEventSource {
  constructor(
    private readonly feed: EventFeed,
    private readonly access: TaskHistoryAccess,
    private readonly notifier: EventLogNotifier,
  ) {
    super();
  }

  async start(after: string): Promise<string> {
    return encode(await this.feed.start(after));
  }

  async read(
    owner: Actor,
    position: string,
    types: readonly string[] | null,
    limit: number,
    until?: string,
  ): Promise<EventBatch> {
    const after = decode(position);
    const end = until === undefined ? null : decode(until);
    if (end !== null && !before(after, end)) return { events: [], next: until! };
    // Taken before the read: the horizon only grows, so the read saw at least up to here.
    const readable = end === null ? null : await this.feed.readable();
    const actions =
      types === null
        ? undefined
        : types.map(actionOfType).filter((action): action is string => action !== null);
    const page = await this.feed.read(owner, {
      after,
      limit,
      waitMs: 0,
      filter: actions === undefined ? {} : { actions },
    });
    const inRange = (index: number) => end === null || !before(end, page.positions[index]);
    // A range is read to its end once the read passes it, or finds nothing more where the log
    // is already complete past it.
    const ended =
      end !== null &&
      (before(end, page.next) ||
        (encode(page.next) === position && readable !== null && !before(readable, end)));
    return {
      events: page.items
        .filter((_, index) => inRange(index))
        .map((item): WebhookEvent => ({
          id: item.id,
          type: item.type,
          taskId: item.task_id,
          version: item.version,
          body: { ...item },
        })),
      next: ended ? until! : encode(page.next),
    };
  }

  watch(listener: () => void): () => void {
    return this.notifier.listen(listener);
  }

  async visibleTasks(owner: Actor, events: readonly WebhookEvent[]): Promise<Set<string>> {
    if (events.length === 0) return new Set();
    // Version 1: every stored task is at least that, so it is judged as stored now, never by
    // the state the event carried. A task that is not stored at all is not visible.
    return this.access.readableTasks(
      owner,
      events.map((event) => ({ taskId: event.taskId, version: 1, state: {} })),
    );
  }
}
