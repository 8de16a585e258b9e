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
  ): Promise<EventBatch> {
    const actions =
      types === null
        ? undefined
        : types.map(actionOfType).filter((action): action is string => action !== null);
    const page = await this.feed.read(owner, {
      after: decode(position),
      limit,
      waitMs: 0,
      filter: actions === undefined ? {} : { actions },
    });
    return {
      events: page.items.map((item): WebhookEvent => ({
        id: item.id,
        type: item.type,
        taskId: item.task_id,
        version: item.version,
        body: { ...item },
      })),
      next: encode(page.next),
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
