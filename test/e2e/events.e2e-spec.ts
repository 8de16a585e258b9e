import { ADMIN, ALICE, as, BOB, ensureStatus, expectValidationErrors } from '../support/api';
import { act, createTask } from '../support/tasks';
import { TEST_DRIVERS, startTestApp, TestApp } from '../support/test-app';

interface EventBody {
  id: string;
  type: string;
  task_id: string;
  version: number;
  actor_id: string;
  at: string;
  from_status: string | null;
  to_status: string;
  changes: Record<string, { from: unknown; to: unknown }>;
  task: Record<string, unknown>;
}

/** One Server-Sent Events connection, read frame by frame. */
class Stream {
  private buffer = '';
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();

  private constructor(
    readonly response: Response,
    private readonly controller: AbortController,
  ) {
    this.reader = (response.body as ReadableStream<Uint8Array>).getReader();
  }

  static async open(t: TestApp, by: string, query = '', headers: Record<string, string> = {}) {
    const controller = new AbortController();
    const response = await fetch(`${await t.app.getUrl()}/events/stream${query}`, {
      headers: { ...as(by), ...headers },
      signal: controller.signal,
    });
    return new Stream(response, controller);
  }

  /** The next frame that is not a comment: its fields. */
  async next(): Promise<Record<string, string>> {
    for (;;) {
      const end = this.buffer.indexOf('\n\n');
      if (end >= 0) {
        const frame = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        const fields: Record<string, string> = {};
        for (const line of frame.split('\n')) {
          if (line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          fields[line.slice(0, colon)] = line.slice(colon + 1).trimStart();
        }
        if (Object.keys(fields).length > 0) return fields;
        continue;
      }
      const { value, done } = await this.reader.read();
      if (done) throw new Error('the stream ended');
      this.buffer += this.decoder.decode(value, { stream: true });
    }
  }

  close(): void {
    this.controller.abort();
  }
}

interface FeedBody {
  items: EventBody[];
  next_cursor: string;
}

describe.each(TEST_DRIVERS)('GET /events (%s driver)', (driver) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(driver);
  });
  afterAll(() => t.close());

  const feed = async (by: string, query: Record<string, string | number>): Promise<FeedBody> =>
    ensureStatus(await t.http().get('/events').query(query).set(as(by)), 200).body as FeedBody;

  /** Every event `by` may see after `after`, following the cursor in pages of `limit`. */
  async function drain(by: string, after?: string, limit = 3): Promise<[EventBody[], string]> {
    const events: EventBody[] = [];
    let cursor = after;
    for (;;) {
      const page = await feed(by, { limit, ...(cursor ? { after: cursor } : {}) });
      expect(page.next_cursor).toEqual(expect.any(String));
      events.push(...page.items);
      if (page.items.length === 0) return [events, page.next_cursor];
      cursor = page.next_cursor;
    }
  }

  /**
   * Waits until event `id` is readable. Under Mongo the feed trails a write by up to two publish
   * periods (the horizon, docs/EVENTS.md); once the last write's event is readable, so are all
   * earlier ones.
   */
  async function readable(id: string): Promise<void> {
    const taskId = id.slice(0, id.lastIndexOf(':'));
    let cursor: string | undefined;
    for (const deadline = Date.now() + 5000; Date.now() < deadline;) {
      const page = await feed(ADMIN, {
        task_id: taskId,
        wait: 1,
        limit: 500,
        ...(cursor ? { after: cursor } : {}),
      });
      if (page.items.some((event) => event.id === id)) return;
      cursor = page.next_cursor;
    }
    throw new Error(`event ${id} did not become readable within 5 s`);
  }

  it('reads every change as an event, with its type, version and the task as it stood', async () => {
    const start = (await feed(ALICE, { after: 'now' })).next_cursor;
    const task = await createTask(t, ALICE);
    ensureStatus(await act(t, ALICE, task.id, 'assign', { assignee_id: BOB }), 200);
    ensureStatus(await act(t, BOB, task.id, 'start', { comment: 'on it' }), 200);
    await readable(`${task.id}:3`);
    const [events, end] = await drain(ALICE, start, 2);
    const mine = events.filter((event) => event.task_id === task.id);
    expect(mine.map((event) => [event.id, event.type, event.version])).toEqual([
      [`${task.id}:1`, 'task.created', 1],
      [`${task.id}:2`, 'task.assigned', 2],
      [`${task.id}:3`, 'task.started', 3],
    ]);
    expect(mine[1]).toMatchObject({
      actor_id: ALICE,
      from_status: 'pending',
      to_status: 'assigned',
      changes: { assignee_id: { from: null, to: BOB } },
      task: { id: task.id, status: 'assigned', assignee_id: BOB, version: 2 },
    });
    expect(mine[1].task).not.toHaveProperty('allowed_actions');
    expect(new Date(mine[2].at).toISOString()).toBe(mine[2].at);
    // Nothing new: the same cursor comes back.
    expect(await feed(ALICE, { after: end })).toEqual({ items: [], next_cursor: end });
  });

  it('starts at the oldest without `after`, and at the end with `after=now`', async () => {
    const task = await createTask(t, ALICE);
    const first = await feed(ADMIN, { limit: 1 });
    expect(first.items).toHaveLength(1);
    expect(first.items[0].version).toBe(1);
    const now = await feed(ADMIN, { after: 'now' });
    expect(now.items).toEqual([]);
    ensureStatus(await act(t, ALICE, task.id, 'assign', { assignee_id: BOB }), 200);
    await readable(`${task.id}:2`);
    const next = await feed(ADMIN, { after: now.next_cursor });
    expect(next.items.map((event) => event.id)).toEqual([`${task.id}:2`]);
  });

  it('filters by type and by task', async () => {
    const start = (await feed(ADMIN, { after: 'now' })).next_cursor;
    const one = await createTask(t, ALICE);
    const two = await createTask(t, ALICE);
    ensureStatus(await act(t, ALICE, one.id, 'assign', { assignee_id: BOB }), 200);
    ensureStatus(await act(t, ALICE, two.id, 'assign', { assignee_id: BOB }), 200);
    await readable(`${two.id}:2`);
    const assigned = await feed(ADMIN, { after: start, types: 'task.assigned' });
    expect(assigned.items.map((event) => event.id)).toEqual([`${one.id}:2`, `${two.id}:2`]);
    const both = await feed(ADMIN, { after: start, types: 'task.created,task.assigned' });
    expect(both.items).toHaveLength(4);
    const ofTwo = await feed(ADMIN, { after: start, task_id: two.id });
    expect(ofTwo.items.map((event) => event.id)).toEqual([`${two.id}:1`, `${two.id}:2`]);
  });

  it('shows a task’s events to whoever may read its audit log, judged when read', async () => {
    const start = (await feed(ADMIN, { after: 'now' })).next_cursor;
    const task = await createTask(t, ALICE);
    await readable(`${task.id}:1`);
    const ids = async (by: string) =>
      (await drain(by, start))[0]
        .filter((event) => event.task_id === task.id)
        .map((event) => event.id);
    expect(await ids(BOB)).toEqual([]);
    expect(await ids(ALICE)).toEqual([`${task.id}:1`]);
    // Bob becomes the assignee: from now on he reads the task's whole log, the past included.
    ensureStatus(await act(t, ALICE, task.id, 'assign', { assignee_id: BOB }), 200);
    await readable(`${task.id}:2`);
    expect(await ids(BOB)).toEqual([`${task.id}:1`, `${task.id}:2`]);
    ensureStatus(await t.http().delete(`/tasks/${task.id}`).set(as(ALICE)), 204);
    await readable(`${task.id}:3`);
    // Deleted: admins only.
    expect(await ids(ALICE)).toEqual([]);
    expect(await ids(BOB)).toEqual([]);
    expect(await ids(ADMIN)).toEqual([`${task.id}:1`, `${task.id}:2`, `${task.id}:3`]);
    const deleted = (await drain(ADMIN, start))[0].find((event) => event.id === `${task.id}:3`);
    expect(deleted?.type).toBe('task.deleted');
  });

  it('moves the cursor past events the caller may not see', async () => {
    const start = (await feed(BOB, { after: 'now' })).next_cursor;
    const task = await createTask(t, ALICE);
    await readable(`${task.id}:1`);
    const page = await feed(BOB, { after: start });
    expect(page.items).toEqual([]);
    expect(page.next_cursor).not.toBe(start);
  });

  it('answers a long-poll as soon as an event arrives', async () => {
    const { next_cursor } = await feed(ALICE, { after: 'now' });
    const started = Date.now();
    const waiting = t.http().get('/events').query({ after: next_cursor, wait: 10 }).set(as(ALICE));
    const answered = new Promise<{ body: FeedBody; at: number }>((resolve, reject) =>
      waiting.then((res) => resolve({ body: res.body as FeedBody, at: Date.now() }), reject),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const task = await createTask(t, ALICE);
    const wroteAt = Date.now();
    const { body, at } = await answered;
    expect(body.items.map((event) => event.id)).toEqual([`${task.id}:1`]);
    expect(at - wroteAt).toBeLessThan(1000);
    expect(at - started).toBeGreaterThanOrEqual(300);
  });

  it('answers an empty page after `wait` seconds', async () => {
    const { next_cursor } = await feed(ALICE, { after: 'now' });
    const started = Date.now();
    const page = await feed(ALICE, { after: next_cursor, wait: 1, task_id: 't_none' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(page).toEqual({ items: [], next_cursor });
  });

  describe('refuses a cursor it did not give', () => {
    let cursor: string;
    beforeAll(async () => {
      await createTask(t, ALICE);
      await createTask(t, ALICE);
      cursor = (await feed(ADMIN, { limit: 1 })).next_cursor;
    });
    const reencode = (edit: (plain: string) => string) =>
      Buffer.from(edit(Buffer.from(cursor, 'base64url').toString('utf8'))).toString('base64url');

    it.each([
      ['malformed', () => 'not a cursor!'],
      ['base64 of garbage', () => Buffer.from('hello').toString('base64url')],
      ['tampered position', () => reencode((plain) => plain.replace(/^\d+/, '2'))],
      [
        'tampered digest',
        () => reencode((plain) => plain.replace(/\.(.)/, (_, c) => `.${c === 'A' ? 'B' : 'A'}`)),
      ],
      [
        'from the future',
        () => reencode((plain) => plain.replace(/^\d+/, String((Date.now() + 3_600_000) * 1000))),
      ],
      [
        'a bare position from the future',
        () => Buffer.from(`${(Date.now() + 3_600_000) * 1000}.`).toString('base64url'),
      ],
    ])('%s → 400', async (_name, make) => {
      const res = await t.http().get('/events').query({ after: make() }).set(as(ADMIN));
      const problem = expectValidationErrors(res, ['after']);
      expect(problem.detail).toMatch(/after/);
      // Nothing else breaks: the good cursor still reads.
      await feed(ADMIN, { after: cursor });
    });

    it.each([
      [{ limit: 0 }, 'limit'],
      [{ limit: 501 }, 'limit'],
      [{ wait: 31 }, 'wait'],
      [{ types: 'task.exploded' }, 'types'],
    ])('%j → 400', async (query, field) => {
      expectValidationErrors(await t.http().get('/events').query(query).set(as(ADMIN)), [field]);
    });
  });

  it('counts events served, open streams and long-poll waiters in /metrics', async () => {
    const scrape = async () => (await t.http().get('/metrics').expect(200)).text;
    const value = (text: string, series: string) =>
      Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
    const before = await scrape();
    await createTask(t, ALICE);
    const { items } = await feed(ALICE, { after: 'now' }).then(() => feed(ALICE, { limit: 5 }));
    const waiting = t.http().get('/events').query({ after: 'now', wait: 2 }).set(as(ALICE)).then();
    const stream = await Stream.open(t, ALICE, '?after=now');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const during = await scrape();
    expect(value(during, 'event_streams_open')).toBe(value(before, 'event_streams_open') + 1);
    expect(value(during, 'event_long_poll_waiters')).toBe(
      value(before, 'event_long_poll_waiters') + 1,
    );
    expect(value(during, 'events_served_total{via="feed"}')).toBe(
      value(before, 'events_served_total{via="feed"}') + items.length,
    );
    stream.close();
    await waiting;
  });

  describe('GET /events/stream', () => {
    it('sends each event as id (cursor), event (type) and data (JSON); resumes after Last-Event-ID', async () => {
      const { next_cursor } = await feed(ALICE, { after: 'now' });
      const task = await createTask(t, ALICE);
      ensureStatus(await act(t, ALICE, task.id, 'assign', { assignee_id: BOB }), 200);
      ensureStatus(await act(t, BOB, task.id, 'start', {}), 200);
      const stream = await Stream.open(t, ALICE, `?after=${next_cursor}&task_id=${task.id}`);
      expect(stream.response.status).toBe(200);
      expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const frames = [await stream.next(), await stream.next(), await stream.next()];
      stream.close();
      expect(frames.map((frame) => frame.event)).toEqual([
        'task.created',
        'task.assigned',
        'task.started',
      ]);
      const data = frames.map((frame) => JSON.parse(frame.data) as EventBody);
      expect(data.map((event) => event.id)).toEqual([1, 2, 3].map((v) => `${task.id}:${v}`));
      // An id is a cursor: the feed continues from it, as the stream does from Last-Event-ID.
      expect((await feed(ALICE, { after: frames[1].id, task_id: task.id })).items[0].id).toBe(
        `${task.id}:3`,
      );
      const resumed = await Stream.open(t, ALICE, `?task_id=${task.id}`, {
        'last-event-id': frames[0].id,
      });
      const again = [await resumed.next(), await resumed.next()];
      expect(again.map((frame) => frame.id)).toEqual([frames[1].id, frames[2].id]);
      // A new event arrives on the open stream.
      ensureStatus(await act(t, BOB, task.id, 'submit', {}), 200);
      const live = await resumed.next();
      resumed.close();
      expect(live.event).toBe('task.submitted');
    });

    it('refuses a bad Last-Event-ID with a 400 problem', async () => {
      const res = await t
        .http()
        .get('/events/stream')
        .set(as(ALICE))
        .set('last-event-id', 'tampered');
      expectValidationErrors(res, ['Last-Event-ID']);
    });

    it('allows EVENT_STREAMS_PER_ACCOUNT open streams per account, 429 beyond', async () => {
      const streams = [];
      for (let i = 0; i < 5; i++) streams.push(await Stream.open(t, BOB, '?after=now'));
      expect(streams.map((stream) => stream.response.status)).toEqual([200, 200, 200, 200, 200]);
      const refused = await t.http().get('/events/stream').query({ after: 'now' }).set(as(BOB));
      expect(refused.status).toBe(429);
      expect(refused.body.detail).toMatch(/At most 5 open event streams/);
      // Another account is not affected; a closed stream frees its slot.
      const other = await Stream.open(t, ALICE, '?after=now');
      expect(other.response.status).toBe(200);
      other.close();
      streams[0].close();
      let reopened: Stream | undefined;
      for (let i = 0; i < 20 && reopened?.response.status !== 200; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        reopened = await Stream.open(t, BOB, '?after=now');
        if (reopened.response.status !== 200) reopened.close();
      }
      expect(reopened?.response.status).toBe(200);
      for (const stream of [...streams.slice(1), reopened as Stream]) stream.close();
    });
  });
});
