import {
  BeforeApplicationShutdown,
  Injectable,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ShutdownState } from '@taskflow/health';
import { Actor, AppConfig, DomainError } from '@taskflow/platform';
import type { ServerResponse } from 'node:http';
import type { Counter, Gauge } from 'prom-client';
import { EventFeed } from '../application/event-feed.service';
import { EventLogNotifier } from '../application/event-log-notifier';
import type { LogFilter, LogPosition } from '../domain/event';
import { InjectEventsServed, InjectStreamsOpen } from './event-metrics';

/** A comment line every this often keeps proxies and clients from timing an idle stream out. */
export const KEEP_ALIVE_MS = 15_000;
const STREAM_BATCH = 100;

export class TooManyStreams extends DomainError {
  constructor(limit: number) {
    super(
      'EVENTS.TOO_MANY_STREAMS',
      `At most ${limit} open event streams per account; close one (or resume it) first`,
      { limit },
    );
  }
}

/** One open stream: no timer, promise or observable of its own while it idles. */
interface OpenStream {
  readonly raw: ServerResponse;
  readonly actor: Actor;
  readonly filter: LogFilter;
  position: LogPosition;
  /** A read is running; `again` asks for one more after it (woken meanwhile). */
  busy: boolean;
  again: boolean;
}

/**
 * The open `GET /events/stream` connections of this instance. They share everything that waits:
 * one listener on the notifier wakes them all, one timer writes every keep-alive, so an idle
 * stream costs its socket and one small object. At most EVENT_STREAMS_PER_ACCOUNT per account
 * (429 beyond); all end as soon as shutdown begins, and their clients resume with Last-Event-ID.
 */
@Injectable()
export class EventStreams
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnModuleDestroy
{
  private readonly open = new Set<OpenStream>();
  private readonly perAccount = new Map<string, number>();
  private keepAlive: NodeJS.Timeout | null = null;
  private unlisten: (() => void) | null = null;
  private stopListening: (() => void) | null = null;
  private closing = false;

  constructor(
    private readonly config: AppConfig,
    private readonly moduleRef: ModuleRef,
    private readonly feed: EventFeed,
    private readonly notifier: EventLogNotifier,
    @InjectEventsServed() private readonly served: Counter<'via'>,
    @InjectStreamsOpen() private readonly streamsOpen: Gauge,
  ) {}

  onApplicationBootstrap(): void {
    // The health module's shutdown state, where the app has one (not in a bare test module).
    let state: ShutdownState;
    try {
      state = this.moduleRef.get(ShutdownState, { strict: false });
    } catch {
      return; // No health module: the streams still end when the application closes.
    }
    this.stopListening = state.onBegin(() => this.endAll());
  }

  beforeApplicationShutdown(): void {
    this.stopListening?.();
    this.endAll();
  }

  onModuleDestroy(): void {
    this.endAll();
  }

  get count(): number {
    return this.open.size;
  }

  /** Takes a slot for the account, or refuses with 429; `release` gives it back. */
  reserve(accountId: string): () => void {
    const limit = this.config.eventStreamsPerAccount;
    const held = this.perAccount.get(accountId) ?? 0;
    if (held >= limit) throw new TooManyStreams(limit);
    this.perAccount.set(accountId, held + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.perAccount.get(accountId) ?? 1) - 1;
      if (left > 0) this.perAccount.set(accountId, left);
      else this.perAccount.delete(accountId);
    };
  }

  /** Serves a stream on a response whose headers are written, until it closes. */
  attach(
    raw: ServerResponse,
    actor: Actor,
    filter: LogFilter,
    position: LogPosition,
    release: () => void,
  ): void {
    const stream: OpenStream = { raw, actor, filter, position, busy: false, again: false };
    this.open.add(stream);
    this.streamsOpen.inc();
    raw.once('close', () => {
      this.open.delete(stream);
      this.streamsOpen.dec();
      release();
      if (this.open.size === 0) this.idle();
    });
    if (this.open.size === 1) {
      this.unlisten = this.notifier.listen(() => {
        for (const each of this.open) void this.pump(each);
      });
      this.keepAlive = setInterval(() => {
        for (const each of this.open) each.raw.write(': keep-alive\n\n');
      }, KEEP_ALIVE_MS);
      this.keepAlive.unref();
    }
    if (this.closing) raw.end();
    else void this.pump(stream);
  }

  /** Writes every event after the stream's position that its reader may see, in batches. */
  private async pump(stream: OpenStream): Promise<void> {
    if (stream.busy) {
      stream.again = true;
      return;
    }
    stream.busy = true;
    try {
      do {
        stream.again = false;
        for (;;) {
          const page = await this.feed.read(stream.actor, {
            after: stream.position,
            limit: STREAM_BATCH,
            waitMs: 0,
            filter: stream.filter,
          });
          if (stream.raw.destroyed || stream.raw.writableEnded) return;
          let frames = '';
          page.items.forEach((event, i) => {
            frames += `id: ${page.cursors[i]}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
          });
          if (frames !== '') stream.raw.write(frames);
          this.served.inc({ via: 'stream' }, page.items.length);
          const moved =
            page.next.seq !== stream.position.seq || page.next.id !== stream.position.id;
          stream.position = page.next;
          if (!moved) break;
        }
      } while (stream.again);
    } catch {
      // The database went away mid-stream: end it; the client resumes from its last id.
      stream.raw.end();
    } finally {
      stream.busy = false;
    }
  }

  private idle(): void {
    this.unlisten?.();
    this.unlisten = null;
    if (this.keepAlive) clearInterval(this.keepAlive);
    this.keepAlive = null;
  }

  private endAll(): void {
    this.closing = true;
    for (const stream of this.open) stream.raw.end();
  }
}
