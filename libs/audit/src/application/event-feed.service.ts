import { Injectable } from '@nestjs/common';
import type { Actor } from '@taskflow/platform';
import { eventTypeOf, LOG_START, LogFilter, LoggedEntry, LogPosition } from '../domain/event';
import { AuditLogRepository } from '../ports/audit-log.repository';
import { TaskHistoryAccess } from '../ports/task-history-access';
import { badCursor, decodeEventCursor, digestOf, encodeEventCursor } from './event-cursor';
import { EventLogNotifier } from './event-log-notifier';

/** An event as the API answers it (DESIGN §9, and `via` of §11). */
export interface TaskEvent {
  readonly id: string;
  readonly type: string;
  readonly task_id: string;
  readonly version: number;
  readonly actor_id: string;
  readonly via: string;
  readonly at: string;
  readonly from_status: string | null;
  readonly to_status: string;
  readonly changes: Readonly<Record<string, { readonly from: unknown; readonly to: unknown }>>;
  readonly request_id: string | null;
  readonly task: Record<string, unknown>;
}

export interface FeedRequest {
  /** A cursor, `now`, or undefined for the beginning; or a position already checked. */
  readonly after?: string | LogPosition;
  /** Which request field the cursor came from, for the problem's `errors`. */
  readonly afterField?: string;
  readonly limit: number;
  readonly waitMs: number;
  readonly filter: LogFilter;
  /** Ends a wait early (the client went away, the app shuts down). */
  readonly signal?: AbortSignal;
}

export interface FeedPage {
  readonly items: TaskEvent[];
  /** Each item's own cursor (the stream's `id:`), in step with `items`. */
  readonly cursors: string[];
  /** Each item's position in the log, in step with `items`. */
  readonly positions: LogPosition[];
  /** Where the next read starts: after the last entry read, seen or not. */
  readonly next: LogPosition;
}

/** Batches read in one answer when every entry read so far was invisible to the caller. */
const MAX_SCANS = 20;
/**
 * How far past this instance's horizon a bare position (another instance's `after=now`) may
 * lie: horizons of live instances differ by a few publish periods (docs/EVENTS.md).
 */
const FUTURE_SLACK_SEQ = 10_000_000;

/** The log read as events: cursor, filters, visibility judged now, long-poll on the notifier. */
@Injectable()
export class EventFeed {
  constructor(
    private readonly log: AuditLogRepository,
    private readonly access: TaskHistoryAccess,
    private readonly notifier: EventLogNotifier,
  ) {}

  /** Where a cursor, `now` or nothing starts; a cursor that names no stored entry is a 400. */
  async start(after: string | undefined, field = 'after'): Promise<LogPosition> {
    if (after === undefined) return LOG_START;
    if (after === 'now') return this.log.head();
    const cursor = decodeEventCursor(after, field);
    if (cursor.digest === '') {
      if (cursor.seq > (await this.log.head()).seq + FUTURE_SLACK_SEQ) throw ahead(field);
      return { seq: cursor.seq, id: '' };
    }
    const id = (await this.log.idsAt(cursor.seq)).find((each) => digestOf(each) === cursor.digest);
    if (id !== undefined) return { seq: cursor.seq, id };
    if (cursor.seq >= (await this.log.head()).seq) throw ahead(field);
    throw badCursor(field, `${field} was altered; use a next_cursor from the feed unchanged`);
  }

  /** A bare position below which the log is complete: no entry can still appear there. */
  readable(): Promise<LogPosition> {
    return this.log.readable();
  }

  async read(actor: Actor, request: FeedRequest): Promise<FeedPage> {
    let position =
      typeof request.after === 'object'
        ? request.after
        : await this.start(request.after, request.afterField);
    const deadline = Date.now() + request.waitMs;
    for (let scans = 0; ;) {
      // Taken before the read, so entries that become readable meanwhile still wake us.
      const generation = this.notifier.generation();
      const entries = await this.log.readAfter(position, request.filter, request.limit);
      if (entries.length > 0) {
        const last = entries[entries.length - 1];
        position = { seq: last.seq, id: last.id };
        const readable = await this.access.readableTasks(actor, entries);
        const visible = entries.filter((entry) => readable.has(entry.taskId));
        scans += 1;
        // Entries the caller may not see still move the cursor; look further, a bounded number
        // of times, so one answer never scans the whole log.
        if (visible.length > 0 || scans >= MAX_SCANS) {
          return {
            items: visible.map((entry) => this.toEvent(entry)),
            cursors: visible.map((entry) => encodeEventCursor(entry)),
            positions: visible.map((entry) => ({ seq: entry.seq, id: entry.id })),
            next: position,
          };
        }
        continue;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0 || request.signal?.aborted) {
        return { items: [], cursors: [], positions: [], next: position };
      }
      await this.notifier.wait(generation, remaining, request.signal);
    }
  }

  private toEvent(entry: LoggedEntry): TaskEvent {
    return {
      id: entry.id,
      type: eventTypeOf(entry.action),
      task_id: entry.taskId,
      version: entry.version,
      actor_id: entry.actorId,
      via: entry.via,
      at: entry.at.toISOString(),
      from_status: entry.fromStatus,
      to_status: entry.toStatus,
      changes: entry.changes,
      request_id: entry.requestId,
      task: this.access.taskView(entry.state),
    };
  }
}

const ahead = (field: string) =>
  badCursor(field, `${field} is ahead of the log; use a next_cursor from the feed`);
