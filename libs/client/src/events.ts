import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { TaskflowClient } from './client';
import type { components } from './generated/openapi';
import { TaskflowError, type Problem } from './problem';
import { Retrier } from './retry';

/** One event of the log (DESIGN §9), as the feed, the stream and webhooks carry it. */
export type TaskEvent = components['schemas']['EventDto'];
export type TaskEventType = TaskEvent['type'];

export type FollowStatus =
  /** A stream is open, resuming after `cursor` (undefined: from the oldest). */
  | { readonly kind: 'connected'; readonly cursor: string | undefined }
  /** The API ended the stream (EVENT_STREAM_MAX_SECONDS, a shutdown): resumed at once. */
  | { readonly kind: 'ended' }
  /** Nothing, not even a keep-alive, arrived for `idleSeconds`: the connection is dropped. */
  | { readonly kind: 'idle' }
  | { readonly kind: 'backoff'; readonly seconds: number; readonly status?: number };

export interface FollowEventsOptions {
  readonly client: TaskflowClient;
  /**
   * Where to start: the last cursor `onEvent` was given (persisted), `'now'` (events written from
   * now on), or undefined (the oldest event).
   */
  readonly after?: string;
  /** Only these types (none: all). */
  readonly types?: readonly TaskEventType[];
  /** Only this task's events. */
  readonly taskId?: string;
  /**
   * Handles one event; `cursor` is the position just after it. Persist it together with the
   * event's effect: resuming with `after: cursor` continues with the next event. The next event is
   * handed over only after this resolves; if it throws, `followEvents` rejects with its error.
   */
  readonly onEvent: (event: TaskEvent, cursor: string) => Promise<void> | void;
  /** Aborting it stops the follower (after the event in hand, if any, has been handled). */
  readonly signal?: AbortSignal;
  /** Drop a connection that sends nothing, not even a keep-alive (every 15 s), this long (45 s). */
  readonly idleSeconds?: number;
  readonly onStatus?: (status: FollowStatus) => void;
}

export interface FollowSummary {
  /** Events handled by this call. */
  readonly handled: number;
  /** The cursor after the last event handled (the `after` given, when none was). */
  readonly cursor: string | undefined;
}

/**
 * Follows the event stream (`GET /events/stream`) and hands each event, with its cursor, to
 * `onEvent`, one at a time. When the stream ends (the API ends each after
 * EVENT_STREAM_MAX_SECONDS, and on shutdown) or the connection fails, it opens another with
 * `Last-Event-ID` = the cursor of the last event handled, so nothing is lost or repeated. A 429
 * waits `Retry-After`; a 5xx or a network failure backs off with jitter; any other refusal (a
 * bad cursor, a missing `events:read` scope) rejects with a `TaskflowError`. Resolves once
 * `signal` has fired.
 */
export async function followEvents(options: FollowEventsOptions): Promise<FollowSummary> {
  const { client, signal, onStatus } = options;
  const retrier = new Retrier((seconds, status) =>
    onStatus?.({ kind: 'backoff', seconds, status }),
  );
  const idleMs = (options.idleSeconds ?? 45) * 1000;
  let handled = 0;
  let cursor = options.after;
  const query = {
    ...(options.types?.length ? { types: options.types.join(',') } : {}),
    ...(options.taskId !== undefined ? { task_id: options.taskId } : {}),
  };

  if (cursor === 'now') {
    // `now` is a moment, not a position: resumed after a stream that brought no event, it would
    // skip what was written meanwhile. The feed turns it into the position of the current end.
    const end = await retrier.send(
      () => client.GET('/events', { params: { query: { after: 'now', limit: 1 } }, signal }),
      signal,
    );
    if (!end) return { handled, cursor };
    if (!end.data) throw refusal(end);
    cursor = end.data.next_cursor;
  }

  while (!signal?.aborted) {
    const connection = new AbortController();
    const stop = () => connection.abort();
    signal?.addEventListener('abort', stop, { once: true });
    try {
      const resume = cursor;
      const answer = await retrier.send(
        () =>
          client.GET('/events/stream', {
            params: {
              query,
              header: resume === undefined ? {} : { 'Last-Event-ID': resume },
            },
            parseAs: 'stream',
            signal: connection.signal,
          }),
        signal,
      );
      if (!answer) break;
      if (!answer.response.ok || !answer.data) throw refusal(answer);
      onStatus?.({ kind: 'connected', cursor });
      const openedAt = Date.now();
      const handledBefore = handled;

      const arrived: EventSourceMessage[] = [];
      const parser = createParser({ onEvent: (message) => arrived.push(message) });
      const reader = answer.data.pipeThrough(new TextDecoderStream()).getReader();
      let idle = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const watch = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          idle = true;
          connection.abort();
        }, idleMs);
      };
      let ended = false;
      try {
        watch();
        for (;;) {
          let chunk: Awaited<ReturnType<typeof reader.read>>;
          try {
            chunk = await reader.read();
          } catch {
            break; // The connection failed, or was cut by `signal` or for silence.
          }
          if (chunk.done) {
            ended = true;
            break;
          }
          parser.feed(chunk.value);
          clearTimeout(timer); // A slow handler is not a silent connection.
          for (const message of arrived.splice(0)) {
            if (message.id === undefined) continue;
            await options.onEvent(JSON.parse(message.data) as TaskEvent, message.id);
            cursor = message.id;
            handled++;
            if (signal?.aborted) break;
          }
          if (signal?.aborted) break;
          watch();
        }
      } finally {
        clearTimeout(timer);
        reader.releaseLock();
      }
      if (signal?.aborted) break;
      if (ended) onStatus?.({ kind: 'ended' });
      if (idle) onStatus?.({ kind: 'idle' });
      // A stream that ran its course is resumed at once. One that ended within a second without
      // an event (a proxy, a server going away) waits like a failure, so it cannot spin.
      const spun = ended && handled === handledBefore && Date.now() - openedAt < 1000;
      if ((!ended && !idle) || spun) await retrier.pause(undefined, signal);
    } finally {
      signal?.removeEventListener('abort', stop);
      connection.abort(); // Frees the server's stream slot at once.
    }
  }
  return { handled, cursor };
}

function refusal(answer: { error?: unknown; response: Response }): TaskflowError {
  return new TaskflowError(answer.response.status, answer.error as Problem | undefined);
}
