import { createClient } from './client';
import { followEvents, type FollowStatus, type TaskEvent } from './events';
import { TaskflowError } from './problem';

const event = (version: number): TaskEvent =>
  ({ id: `t_1:${version}`, type: 'task.updated', task_id: 't_1', version }) as TaskEvent;

const frames = (...versions: number[]) =>
  versions
    .map((v) => `id: c${v}\nevent: task.updated\ndata: ${JSON.stringify(event(v))}\n\n`)
    .join('');

/** An SSE answer: the frames, then the end of the stream, or (open) silence until the request is cut. */
const stream = (request: Request, text: string, open = false) =>
  new Response(
    new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(`: stream open\n\n${text}`));
        if (!open) return controller.close();
        request.signal.addEventListener('abort', () =>
          controller.error(new DOMException('aborted', 'AbortError')),
        );
      },
    }),
    { status: 200, headers: { 'content-type': 'text/event-stream' } },
  );

const problem = (status: number, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify({ type: 'https://taskflow.dev/problems/x', status, title: 'no' }), {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });

/** A fake API: each request to a path gets the next scripted answer. */
function fakeApi(answers: Array<(request: Request) => Response>) {
  const requests: Array<{ at: number; url: URL; lastEventId: string | null }> = [];
  const fetch = (request: Request) => {
    requests.push({
      at: Date.now(),
      url: new URL(request.url),
      lastEventId: request.headers.get('last-event-id'),
    });
    const next = answers.shift();
    return next ? Promise.resolve(next(request)) : Promise.resolve(stream(request, '', true)); // then: an idle stream until stopped
  };
  return { client: createClient({ baseUrl: 'http://api.test', fetch }), requests };
}

describe('followEvents', () => {
  it('hands each event with its cursor, advances only once onEvent resolves, resumes from there', async () => {
    const api = fakeApi([
      (request) => stream(request, frames(1, 2)), // ends after two events
      (request) => stream(request, frames(3, 4), true),
    ]);
    const stop = new AbortController();
    const handled: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const running = followEvents({
      client: api.client,
      after: 'c0',
      signal: stop.signal,
      onEvent: async (each, cursor) => {
        handled.push(`${each.id}@${cursor}`);
        if (each.version === 3) {
          stop.abort(); // stopped while event 3 is in hand: 3 is finished, 4 is not begun
          await held;
        }
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(handled).toEqual(['t_1:1@c1', 't_1:2@c2', 't_1:3@c3']);
    release();
    await expect(running).resolves.toEqual({ handled: 3, cursor: 'c3' });
    expect(handled).toHaveLength(3);
    // The first stream resumed after the persisted cursor; the second after the last handled.
    expect(api.requests.map((request) => request.lastEventId)).toEqual(['c0', 'c2']);
  });

  it('does not advance past an event whose onEvent threw, and rejects with that error', async () => {
    const api = fakeApi([(request) => stream(request, frames(1, 2, 3))]);
    const cursors: string[] = [];
    const failure = new TypeError('the handler failed');
    const running = followEvents({
      client: api.client,
      onEvent: (each, cursor) => {
        if (each.version === 2) throw failure;
        cursors.push(cursor);
      },
    });
    await expect(running).rejects.toBe(failure);
    expect(cursors).toEqual(['c1']);
    // No `after`: the first stream starts at the oldest event, without Last-Event-ID.
    expect(api.requests[0]!.lastEventId).toBeNull();
  });

  it('waits out a 429 for its Retry-After, backs off after a 503, then resumes', async () => {
    const api = fakeApi([
      () => problem(429, { 'retry-after': '1' }),
      () => problem(503),
      (request) => stream(request, frames(5), true),
    ]);
    const stop = new AbortController();
    const statuses: FollowStatus[] = [];
    const summary = await followEvents({
      client: api.client,
      after: 'c4',
      signal: stop.signal,
      onStatus: (status) => statuses.push(status),
      onEvent: () => stop.abort(),
    });

    expect(summary).toEqual({ handled: 1, cursor: 'c5' });
    expect(api.requests[1]!.at - api.requests[0]!.at).toBeGreaterThanOrEqual(1000);
    expect(statuses.slice(0, 2)).toEqual([
      { kind: 'backoff', seconds: 1, status: 429 },
      { kind: 'backoff', seconds: expect.any(Number), status: 503 },
    ]);
    expect((statuses[1] as { seconds: number }).seconds).toBeLessThanOrEqual(0.25);
    expect(api.requests.map((request) => request.lastEventId)).toEqual(['c4', 'c4', 'c4']);
  });

  it('after a connection cut mid-stream, backs off with jitter and resumes after the last handled', async () => {
    const cut = () =>
      new Response(
        new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new TextEncoder().encode(frames(1)));
            setTimeout(() => controller.error(new TypeError('terminated')), 20);
          },
        }),
        { status: 200, headers: { 'content-type': 'text/event-stream' } },
      );
    const api = fakeApi([cut, (request) => stream(request, frames(2), true)]);
    const stop = new AbortController();
    const statuses: FollowStatus[] = [];
    const summary = await followEvents({
      client: api.client,
      signal: stop.signal,
      onStatus: (status) => statuses.push(status),
      onEvent: (each) => {
        if (each.version === 2) stop.abort();
      },
    });
    expect(summary).toEqual({ handled: 2, cursor: 'c2' });
    expect(statuses.map((status) => status.kind)).toEqual(['connected', 'backoff', 'connected']);
    expect((statuses[1] as { seconds: number }).seconds).toBeLessThanOrEqual(0.25);
    expect(api.requests.map((request) => request.lastEventId)).toEqual([null, 'c1']);
  });

  it('turns after=now into the current end of the log before the first stream', async () => {
    const api = fakeApi([
      () =>
        new Response(JSON.stringify({ items: [], next_cursor: 'end' }), {
          headers: { 'content-type': 'application/json' },
        }),
      (request) => stream(request, ''), // ends with no event: resumed from `end`, not `now`
      (request) => stream(request, frames(1), true),
    ]);
    const stop = new AbortController();
    const statuses: string[] = [];
    const summary = await followEvents({
      client: api.client,
      after: 'now',
      types: ['task.updated', 'task.created'],
      signal: stop.signal,
      onStatus: (status) => statuses.push(status.kind),
      onEvent: () => stop.abort(),
    });
    // The empty stream that ended at once is not reopened in a tight loop: it backs off first.
    expect(statuses).toEqual(['connected', 'ended', 'backoff', 'connected']);
    expect(summary).toEqual({ handled: 1, cursor: 'c1' });
    expect(api.requests[0]!.url.search).toBe('?after=now&limit=1');
    expect(api.requests.slice(1).map((request) => request.lastEventId)).toEqual(['end', 'end']);
    expect(api.requests[1]!.url.searchParams.get('types')).toBe('task.updated,task.created');
  });

  it('rejects with a TaskflowError on a refusal that retrying cannot fix (a bad cursor)', async () => {
    const api = fakeApi([() => problem(400)]);
    const refused = followEvents({ client: api.client, after: 'bad', onEvent: () => undefined });
    await expect(refused).rejects.toBeInstanceOf(TaskflowError);
    await expect(refused).rejects.toMatchObject({ status: 400 });
  });

  it('drops a silent connection and opens another from the same cursor', async () => {
    const api = fakeApi([(request) => stream(request, frames(1), true)]);
    const stop = new AbortController();
    const statuses: string[] = [];
    const running = followEvents({
      client: api.client,
      idleSeconds: 0.2,
      signal: stop.signal,
      onStatus: (status) => {
        statuses.push(status.kind);
        if (statuses.filter((kind) => kind === 'idle').length === 2) stop.abort();
      },
      onEvent: () => undefined,
    });
    await expect(running).resolves.toEqual({ handled: 1, cursor: 'c1' });
    expect(statuses).toEqual(['connected', 'idle', 'connected', 'idle']);
    expect(api.requests.map((request) => request.lastEventId)).toEqual([null, 'c1']);
  });
});
