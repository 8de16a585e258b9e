import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { ApiExtraModels, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiAuthenticated, CurrentActor, RequiresScope } from '@taskflow/identity';
import { Actor, ApiProblems } from '@taskflow/platform';
import type { FastifyReply } from 'fastify';
import type { Counter, Gauge } from 'prom-client';
import { encodeEventCursor } from '../application/event-cursor';
import { EventFeed } from '../application/event-feed.service';
import { actionOfType, LogFilter } from '../domain/event';
import {
  DEFAULT_EVENT_PAGE,
  EventDto,
  EventFeedQuery,
  EventPageDto,
  EventStreamQuery,
} from './events.dto';
import { InjectEventsServed, InjectLongPollWaiters } from './event-metrics';
import { EventStreams } from './event-streams';

export function filterOf(query: EventStreamQuery): LogFilter {
  return {
    ...(query.types
      ? { actions: query.types.split(',').map((type) => actionOfType(type) as string) }
      : {}),
    ...(query.task_id !== undefined ? { taskId: query.task_id } : {}),
  };
}

/** Aborts when the connection closes, so a long-poll stops waiting for nobody. */
function abortOnClose(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => controller.abort());
  return controller.signal;
}

@ApiTags('events')
@ApiAuthenticated()
@RequiresScope('events:read')
@ApiProblems(429)
@Controller('events')
export class EventsController {
  constructor(
    private readonly feed: EventFeed,
    private readonly streams: EventStreams,
    @InjectEventsServed() private readonly served: Counter<'via'>,
    @InjectLongPollWaiters() private readonly waiters: Gauge,
  ) {}

  @Get()
  @ApiOkResponse({ type: EventPageDto, description: 'Events after the cursor, oldest first' })
  @ApiProblems(400)
  async list(
    @CurrentActor() actor: Actor,
    @Query() query: EventFeedQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<EventPageDto> {
    const waits = (query.wait ?? 0) > 0;
    if (waits) this.waiters.inc();
    try {
      const page = await this.feed.read(actor, {
        after: query.after,
        limit: query.limit ?? DEFAULT_EVENT_PAGE,
        waitMs: (query.wait ?? 0) * 1000,
        filter: filterOf(query),
        ...(waits ? { signal: abortOnClose(reply) } : {}),
      });
      this.served.inc({ via: 'feed' }, page.items.length);
      return { items: page.items, next_cursor: encodeEventCursor(page.next) };
    } finally {
      if (waits) this.waiters.dec();
    }
  }

  @Get('stream')
  @ApiExtraModels(EventDto)
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Resume after this event' })
  @ApiOkResponse({
    description: 'Server-Sent Events: id = cursor, event = type, data = JSON',
    // One SSE event, as the HTML specification frames it (OpenAPI 3.2's generic SSE schema):
    // `data` carries the event's JSON. Schemathesis checks every event of a stream against it.
    content: {
      'text/event-stream': {
        schema: {
          type: 'object',
          required: ['id', 'event', 'data'],
          properties: {
            id: { type: 'string', description: "The event's cursor (resume with Last-Event-ID)" },
            event: { type: 'string', description: 'The event type, e.g. task.created' },
            // OpenAPI 3.0 has no keyword for JSON inside a string (3.1's contentSchema).
            data: { type: 'string', description: "The event's JSON: an EventDto" },
          },
        },
      },
    },
  })
  @ApiProblems(400)
  async stream(
    @CurrentActor() actor: Actor,
    @Query() query: EventStreamQuery,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const resume = query.after ?? lastEventId;
    const field = query.after !== undefined ? 'after' : 'Last-Event-ID';
    // Checked before the stream opens, so a bad cursor or a full quota is a plain problem answer.
    const position = await this.feed.start(resume, field);
    const release = this.streams.reserve(actor.id);
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
      // The connection ends with the stream, so closing the server never waits on its socket.
      connection: 'close',
    });
    raw.write(': stream open\n\n');
    this.streams.attach(raw, actor, filterOf(query), position, release);
  }
}
