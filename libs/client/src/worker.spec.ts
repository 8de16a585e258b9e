import { createClient } from './client';
import { runWorker, type Task, type WorkerEvent } from './worker';

const task = (fields: Partial<Task>): Task =>
  ({
    id: 't_1',
    title: 'Resize the images',
    status: 'assigned',
    version: 2,
    lease_expires_at: new Date(Date.now() + 30_000).toISOString(),
    ...fields,
  }) as Task;

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });

const problem = (status: number, slug: string, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify({ type: `https://taskflow.dev/problems/${slug}`, status }), {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });

/** A fake API: answers each request with the next scripted answer for its path. */
function fakeApi(script: Record<string, Array<() => Response>>) {
  const requests: Array<{ at: number; path: string; headers: Headers }> = [];
  const fetch = async (request: Request): Promise<Response> => {
    const path = `${request.method} ${new URL(request.url).pathname}`;
    requests.push({ at: Date.now(), path, headers: request.headers });
    const next = script[path]?.shift();
    if (next) return next();
    // Nothing scripted: a long-poll that finds nothing until the worker stops.
    await new Promise((resolve) => request.signal.addEventListener('abort', resolve));
    throw new DOMException('aborted', 'AbortError');
  };
  return { fetch, requests };
}

describe('runWorker', () => {
  it('waits out a 429 for its Retry-After, then claims, starts and submits fenced', async () => {
    const api = fakeApi({
      'POST /tasks/claim': [
        () => problem(429, 'rate-limited', { 'retry-after': '1' }),
        () => json(200, task({})),
      ],
      'POST /tasks/t_1/start': [() => json(200, task({ status: 'in_progress', version: 3 }))],
      'POST /tasks/t_1/submit': [
        () => problem(503, 'unavailable'),
        () => json(200, task({ status: 'submitted', version: 4 })),
      ],
    });
    const stop = new AbortController();
    const events: WorkerEvent[] = [];
    const summary = await runWorker({
      client: createClient({ baseUrl: 'http://api.test', fetch: api.fetch }),
      leaseSeconds: 30,
      signal: stop.signal,
      onEvent: (event) => {
        events.push(event);
        if (event.kind === 'submitted') stop.abort();
      },
      handle: async (started) => ({ comment: `resized ${started.id} at v${started.version}` }),
    });

    expect(summary).toEqual({ submitted: 1, abandoned: 0, lost: 0, failed: 0 });
    const claims = api.requests.filter((request) => request.path === 'POST /tasks/claim');
    expect(claims[1]!.at - claims[0]!.at).toBeGreaterThanOrEqual(1000);
    expect(events[0]).toEqual({ kind: 'backoff', seconds: 1, status: 429 });
    const start = api.requests.find((request) => request.path === 'POST /tasks/t_1/start');
    expect(start?.headers.get('if-match')).toBe('"2"');
    const submits = api.requests.filter((request) => request.path === 'POST /tasks/t_1/submit');
    expect(submits.map((request) => request.headers.get('if-match'))).toEqual(['"3"', '"3"']);
    // The retry after the 503 is the same request: the same Idempotency-Key.
    const keys = submits.map((request) => request.headers.get('idempotency-key'));
    expect(keys[0]).toEqual(expect.any(String));
    expect(keys[1]).toBe(keys[0]);
  });

  it('aborts the handler with lease-lost when a heartbeat is refused', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      const api = fakeApi({
        'POST /tasks/claim': [() => json(200, task({}))],
        'POST /tasks/t_1/start': [() => json(200, task({ status: 'in_progress', version: 3 }))],
        'POST /tasks/t_1/heartbeat': [() => problem(409, 'lease-lost')],
        'GET /tasks/t_1': [() => json(200, task({ status: 'pending', assignee_id: null }))],
      });
      const stop = new AbortController();
      let reason: unknown;
      const run = runWorker({
        client: createClient({ baseUrl: 'http://api.test', fetch: api.fetch }),
        leaseSeconds: 30,
        signal: stop.signal,
        handle: (_task, { signal }) =>
          new Promise((_resolve, reject) =>
            signal.addEventListener('abort', () => {
              reason = signal.reason;
              stop.abort();
              reject(signal.reason as Error);
            }),
          ),
      });
      // A heartbeat every third of the lease: the first at 10 s.
      await jest.advanceTimersByTimeAsync(9_900);
      expect(api.requests.map((request) => request.path)).not.toContain(
        'POST /tasks/t_1/heartbeat',
      );
      await jest.advanceTimersByTimeAsync(200);
      const summary = await run;

      expect((reason as { reason?: string }).reason).toBe('lease-lost');
      expect(summary).toMatchObject({ submitted: 0, abandoned: 1 });
      expect(api.requests.map((request) => request.path)).not.toContain('POST /tasks/t_1/submit');
    } finally {
      jest.useRealTimers();
    }
  });
});
