import type { AddressInfo } from 'node:net';
import * as net from 'node:net';
import {
  ADMIN,
  ALICE,
  as,
  BOB,
  ensureStatus,
  expectProblem,
  PROBLEM_TYPE_BASE,
  registerAccount,
  useTestApp,
} from '../support/api';
import { allPages, createTask, getTask, TaskBody } from '../support/tasks';
import { TEST_DRIVERS, TestApp } from '../support/test-app';

/** Everything a hostile request could have written: every task, with its history. */
async function storedState(t: TestApp): Promise<unknown> {
  const tasks = await allPages<TaskBody>(t, '/tasks', ADMIN);
  const history = await Promise.all(
    tasks.map(async (task) => ({
      audit: await allPages(t, `/tasks/${task.id}/audit_logs`, ADMIN),
      records: await allPages(t, `/tasks/${task.id}/records`, ADMIN),
    })),
  );
  return { tasks, history };
}

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends bytes as they are: supertest (Node's client) refuses control characters and non-ASCII
 * in headers, and re-encodes paths, so these requests go over a plain socket.
 */
function rawRequest(t: TestApp, head: Buffer | string, body = ''): Promise<RawResponse> {
  const { port } = t.app.getHttpServer().address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [headText, ...rest] = text.split('\r\n\r\n');
      const [statusLine, ...lines] = headText.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
    const bytes = typeof head === 'string' ? Buffer.from(head, 'latin1') : head;
    // write, not end: a half-closed socket lets the server drop the connection before it answers.
    socket.write(Buffer.concat([bytes, Buffer.from(body, 'utf8')]));
  });
}

function rawHead(method: string, path: string, headers: Record<string, string>, body = ''): string {
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  if (body !== '') lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** A 4xx RFC 9457 problem, whatever layer (Node's parser, the router, the app) refused it. */
function expectRawProblem(res: RawResponse, status?: number): Record<string, unknown> {
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  if (status !== undefined) expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = JSON.parse(res.body) as Record<string, unknown>;
  expect(problem).toMatchObject({ status: res.status, type: expect.stringMatching(/^https:/) });
  expect(String(problem.type).startsWith(PROBLEM_TYPE_BASE)).toBe(true);
  return problem;
}

// Each test sends dozens of requests and reads the whole store around them; on the Mongo driver
// (FerretDB on a shared 2-core machine) that takes longer than Jest's default 5 s.
jest.setTimeout(60_000);

const INJECTIONS: readonly unknown[] = [
  { $ne: null },
  { $gt: '' },
  { $regex: '.*' },
  { $where: 'sleep(1000)' },
];

describe.each(TEST_DRIVERS)('hostile input (%s driver)', (driver) => {
  const app = useTestApp(driver);

  afterEach(() => {
    // Whatever a test sent, no key may have reached Object.prototype.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  describe('body size', () => {
    it.each([
      ['POST', '/tasks'],
      ['PATCH', '/tasks/:id'],
      ['POST', '/tasks/:id/assign'],
      ['POST', '/users'],
      ['POST', '/auth/login'],
    ])('answers %s %s with a body over 1 MiB with 413 and stores nothing', async (method, path) => {
      const t = app();
      const task = await createTask(t);
      const before = await storedState(t);
      const big = JSON.stringify({ title: 'x', comment: 'y'.repeat(1024 * 1024) });

      const res = await t
        .http()
        [method === 'POST' ? 'post' : 'patch'](path.replace(':id', task.id))
        .set(as(ALICE))
        .set('content-type', 'application/json')
        .send(big);

      expectProblem(res, 413, 'payload-too-large');
      expect(await storedState(t)).toEqual(before);
    });
  });

  describe('deep nesting', () => {
    it.each([
      ['objects, 10 000 levels', `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`],
      ['arrays, 10 000 levels', `${'['.repeat(10_000)}${']'.repeat(10_000)}`],
      ['arrays, 400 000 levels', `${'['.repeat(400_000)}${']'.repeat(400_000)}`],
    ])(
      'refuses %s in a field with a 4xx problem, and keeps serving',
      async (_, nested) => {
        const t = app();
        const before = await storedState(t);

        for (const body of [
          `{"title":"deep","description":${nested}}`,
          `{"title":"deep","nested":${nested}}`,
          nested,
        ]) {
          const res = await t
            .http()
            .post('/tasks')
            .set(as(ALICE))
            .set('content-type', 'application/json')
            .send(body);
          expect(res.status).toBe(400);
          expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        }
        const login = await t
          .http()
          .post('/auth/login')
          .set('content-type', 'application/json')
          .send(`{"id":${nested},"password":"x"}`);
        expect(login.status).toBe(400);

        expect(await storedState(t)).toEqual(before);
        ensureStatus(await t.http().get('/livez'), 200);
      },
      30_000,
    );
  });

  describe('prototype keys', () => {
    it.each([
      ['__proto__ at the top', '{"title":"x","__proto__":{"polluted":true,"admin":true}}'],
      ['__proto__ nested', '{"title":"x","description":{"__proto__":{"polluted":true}}}'],
      ['constructor.prototype', '{"title":"x","constructor":{"prototype":{"polluted":true}}}'],
      ['a prototype key', '{"title":"x","prototype":{"polluted":true}}'],
      ['a constructor key', '{"title":"x","constructor":"Object"}'],
    ])('refuses %s with 400 and stores nothing', async (_, raw) => {
      const t = app();
      const task = await createTask(t);
      const before = await storedState(t);

      for (const [method, path] of [
        ['post', '/tasks'],
        ['patch', `/tasks/${task.id}`],
        ['post', `/tasks/${task.id}/cancel`],
        ['post', '/users'],
        ['post', '/auth/login'],
      ] as const) {
        const res = await t
          .http()
          [method](path)
          .set(as(ALICE))
          .set('content-type', 'application/json')
          .send(raw);
        expect({ path, status: res.status }).toEqual({ path, status: 400 });
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
      expect(await storedState(t)).toEqual(before);
    });
  });

  describe('operator injection', () => {
    const bodies: readonly [string, (id: string) => string, Record<string, unknown>][] = [
      ['POST /tasks', () => '/tasks', { title: 'x', description: 'd', reviewer_id: 'u_bob' }],
      ['PATCH /tasks/:id', (id) => `/tasks/${id}`, { title: 'x', description: 'd' }],
      ['PATCH /tasks/:id (reviewer)', (id) => `/tasks/${id}`, { reviewer_id: 'u_bob' }],
      ['PATCH /tasks/:id (priority)', (id) => `/tasks/${id}`, { priority: 'high' }],
      ['PATCH /tasks/:id (due_at)', (id) => `/tasks/${id}`, { due_at: '2030-01-01T00:00:00Z' }],
      ['assign', (id) => `/tasks/${id}/assign`, { assignee_id: 'u_bob', comment: 'c' }],
      ['cancel', (id) => `/tasks/${id}/cancel`, { comment: 'c' }],
    ];

    it.each(bodies)('refuses an operator object in each field of %s', async (_, path, valid) => {
      const t = app();
      const task = await createTask(t);
      const before = await storedState(t);

      for (const field of Object.keys(valid)) {
        for (const operator of INJECTIONS) {
          const body = { ...valid, [field]: operator };
          const url = path(task.id);
          const res = await t
            .http()
            [url === `/tasks/${task.id}` ? 'patch' : 'post'](url)
            .set(as(ALICE))
            .send(body);
          expect({ field, operator, status: res.status }).toEqual({ field, operator, status: 400 });
          expect(res.body.type).toBe(`${PROBLEM_TYPE_BASE}validation`);
        }
      }
      expect(await storedState(t)).toEqual(before);
    });

    it('refuses operator objects in account and auth bodies', async () => {
      const t = app();
      const id = `u_inject_${Date.now().toString(36)}`;
      const account = { id, name: 'N', role: 'human', password: 'a-long-enough-password' };

      for (const field of Object.keys(account)) {
        for (const operator of INJECTIONS) {
          const res = await t
            .http()
            .post('/users')
            .send({ ...account, [field]: operator });
          expect({ field, status: res.status }).toEqual({ field, status: 400 });
        }
      }
      for (const [path, body] of [
        ['/auth/login', { id: ADMIN, password: 'taskflow-dev-password' }],
        ['/auth/refresh', { refresh_token: 'x' }],
        ['/auth/password-reset/request', { id: ALICE }],
        ['/auth/password-reset/confirm', { token: 'x', new_password: 'a-long-enough-password' }],
      ] as const) {
        for (const field of Object.keys(body)) {
          for (const operator of INJECTIONS) {
            const res = await t
              .http()
              .post(path)
              .send({ ...body, [field]: operator });
            expect({ path, field, status: res.status }).toEqual({ path, field, status: 400 });
          }
        }
      }
      // The account was never created: registering it now succeeds.
      ensureStatus(await t.http().post('/users').send(account), 201);
    });

    it.each([
      'status[$ne]=x',
      'assignee_id[$ne]=x',
      'assignee_id[$gt]=',
      'creator_id[$ne]=u_alice',
      'creator_id[$regex]=.*',
      'cursor[$gt]=',
      'limit[$gt]=0',
      '$where=1',
      'assignee_id=%7B%22%24ne%22%3Anull%7D',
    ])('refuses the list query %s with 400', async (query) => {
      const t = app();
      await createTask(t, BOB);
      const res = await t.http().get(`/tasks?${query}`).set(as(ALICE));

      if (query.startsWith('assignee_id=%7B')) {
        // A JSON-looking string is only a string: it matches no account, so the list is empty.
        expect(res.status).toBe(200);
        expect(res.body.items).toEqual([]);
      } else {
        expectProblem(res, 400, 'validation');
      }
    });
  });

  describe('paging', () => {
    it.each([
      'limit=100000',
      'limit=1e3',
      'limit=99999999999999999999999',
      'limit=Infinity',
      'limit=NaN',
      'limit=0x10',
      'limit=%2010',
      'cursor=',
      `cursor=${Buffer.from('{"$gt":""}').toString('base64url')}`,
      `cursor=${Buffer.from('t_\u0000').toString('base64url')}`,
      'cursor=%00',
      'cursor=%FF%FE',
    ])('refuses %s with 400', async (query) => {
      const t = app();
      const task = await createTask(t);

      for (const path of ['/tasks', `/tasks/${task.id}/audit_logs`, `/tasks/${task.id}/records`]) {
        const res = await t.http().get(`${path}?${query}`).set(as(ALICE));
        expect({ path, status: res.status }).toEqual({ path, status: 400 });
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
    });
  });

  describe('ids in paths', () => {
    it.each([
      ['a NUL byte', '%00'],
      ['a newline', 't_1%0Aadmin'],
      ['an escape sequence', '%1B%5B31m'],
      ['invalid UTF-8', '%FF%FE'],
      ['an overlong UTF-8 slash', 't_%C0%AF'],
      ['a lone surrogate', '%ED%A0%80'],
      ['a truncated escape', '%E0%A4%A'],
      ['an operator', '%7B%22%24ne%22%3Anull%7D'],
    ])('answers an id with %s with a 4xx problem and stores nothing', async (_, id) => {
      const t = app();
      await createTask(t);
      const before = await storedState(t);

      for (const [method, path] of [
        ['GET', `/tasks/${id}`],
        ['PATCH', `/tasks/${id}`],
        ['DELETE', `/tasks/${id}`],
        ['POST', `/tasks/${id}/start`],
        ['GET', `/tasks/${id}/audit_logs`],
        ['POST', `/users/${id}/disable`],
      ]) {
        const body = method === 'PATCH' ? '{"title":"x"}' : method === 'POST' ? '{}' : '';
        const headers: Record<string, string> = { 'X-User-ID': ADMIN };
        if (body !== '') headers['Content-Type'] = 'application/json';
        const res = await rawRequest(t, rawHead(method, path, headers, body), body);
        expectRawProblem(res);
      }
      expect(await storedState(t)).toEqual(before);
    });
  });

  describe('headers', () => {
    it.each([
      ['a control character', 'abc\u0001def'],
      ['an escape sequence', '\u001b[31mred'],
      ['a DEL', 'abc\u007f'],
      ['non-UTF-8 bytes', 'abc\u00ff\u00fe'],
    ])(
      'answers an Idempotency-Key with %s with a 4xx problem and stores nothing',
      async (_, key) => {
        const t = app();
        const before = await storedState(t);
        const body = '{"title":"keyed"}';

        const res = await rawRequest(
          t,
          rawHead(
            'POST',
            '/tasks',
            { 'X-User-ID': ALICE, 'Content-Type': 'application/json', 'Idempotency-Key': key },
            body,
          ),
          body,
        );

        expectRawProblem(res);
        expect(await storedState(t)).toEqual(before);
      },
    );

    it.each([
      ['a control character', 'req\u0001id'],
      ['a newline smuggled as obs-fold', 'req\r\n id'],
      ['non-UTF-8 bytes', 'req\u00ff\u00feid'],
    ])('answers an X-Request-ID with %s without echoing it', async (_, value) => {
      const t = app();
      const before = await storedState(t);
      const body = '{"title":"tagged"}';

      const res = await rawRequest(
        t,
        rawHead(
          'POST',
          '/tasks',
          { 'X-User-ID': ALICE, 'Content-Type': 'application/json', 'X-Request-ID': value },
          body,
        ),
        body,
      );

      // Node refuses control characters in a header (400 problem); bytes it lets through get a
      // fresh request id, never the caller's.
      if (res.status === 201) {
        expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
        const created = JSON.parse(res.body) as TaskBody;
        expect(await getTask(t, created.id)).toMatchObject({ title: 'tagged' });
      } else {
        expectRawProblem(res, 400);
        expect(await storedState(t)).toEqual(before);
      }
    });

    it('answers headers over the size limit with 431 of its own problem type', async () => {
      const res = await rawRequest(
        app(),
        rawHead('GET', '/me', { 'X-Padding': 'a'.repeat(20_000) }),
      );

      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(expectRawProblem(res, 431).type).toBe(
        `${PROBLEM_TYPE_BASE}request-header-fields-too-large`,
      );
    });

    it('answers an X-User-ID with control characters with a 4xx problem', async () => {
      const t = app();
      const res = await rawRequest(t, rawHead('GET', '/me', { 'X-User-ID': 'u_alice\u0000' }));

      expectRawProblem(res);
    });
  });

  describe('content types', () => {
    it.each([
      ['text/plain', '{"title":"x"}'],
      ['application/x-www-form-urlencoded', 'title=x'],
      ['multipart/form-data; boundary=x', '--x\r\n\r\nx\r\n--x--'],
    ])('answers a %s body on a JSON route with 415 and stores nothing', async (type, body) => {
      const t = app();
      const before = await storedState(t);
      const id = await registerAccount(t);

      for (const path of ['/tasks', '/users', '/auth/login']) {
        const res = await t.http().post(path).set(as(id)).set('content-type', type).send(body);
        expectProblem(res, 415, 'unsupported-media-type');
      }
      expect(await storedState(t)).toEqual(before);
    });
  });

  describe('unknown fields named after Object.prototype members', () => {
    const MEMBERS = Object.getOwnPropertyNames(Object.prototype);

    // In a body, __proto__ is refused earlier by the JSON parser (see 'prototype keys').
    const BODY_MEMBERS = MEMBERS.filter((member) => member !== '__proto__');

    it('refuses a body field named after each member like any unknown field', async () => {
      const t = app();
      const task = await createTask(t);
      const before = await storedState(t);

      for (const member of BODY_MEMBERS) {
        for (const [method, path, body] of [
          ['post', '/tasks', { title: 'x' }],
          ['patch', `/tasks/${task.id}`, { title: 'y' }],
          ['post', `/tasks/${task.id}/cancel`, {}],
          ['post', '/auth/login', { id: ALICE, password: 'taskflow-dev-password' }],
        ] as const) {
          const res = await t
            .http()
            [method](path)
            .set(as(ALICE))
            .set('content-type', 'application/json')
            .send(JSON.stringify({ ...body, [member]: 'x' }));
          expect({ member, path, status: res.status }).toEqual({ member, path, status: 400 });
          expect(res.body.errors).toEqual([
            { field: member, message: `property ${member} should not exist` },
          ]);
        }
      }
      expect(await storedState(t)).toEqual(before);
    });

    it.each(MEMBERS)('refuses a query parameter %s like any unknown one', async (member) => {
      const res = await app()
        .http()
        .get(`/tasks?${encodeURIComponent(member)}=x`)
        .set(as(ALICE));
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([
        { field: member, message: `property ${member} should not exist` },
      ]);
    });
  });

  describe('Unicode', () => {
    const cases = [
      ['a lone high surrogate in a title', 'POST', '{"title":"a\\ud800b"}', 'title'],
      ['a lone low surrogate at the end', 'POST', '{"title":"ab\\udfff"}', 'title'],
      ['reversed surrogates', 'POST', '{"title":"\\ude00\\ud83d"}', 'title'],
      ['a lone surrogate in a key', 'POST', '{"title":"x","\\ud800":1}', 'a key'],
      ['a lone surrogate in a PATCH', 'PATCH', '{"description":"d\\udbff"}', 'description'],
      ['a lone surrogate in a login id', 'LOGIN', '{"id":"\\ud800","password":"x"}', 'id'],
    ] as const;

    it(`refuses strings that are not well-formed Unicode with 400 and stores nothing (${cases.length} cases)`, async () => {
      const t = app();
      const task = await createTask(t);
      const before = await storedState(t);

      for (const [name, where, raw, field] of cases) {
        const request =
          where === 'POST'
            ? t.http().post('/tasks')
            : where === 'PATCH'
              ? t.http().patch(`/tasks/${task.id}`)
              : t.http().post('/auth/login');
        const res = await request.set(as(ALICE)).set('content-type', 'application/json').send(raw);

        expect({ name, status: res.status }).toEqual({ name, status: 400 });
        const problem = expectProblem(res, 400, 'bad-request');
        expect(problem.detail).toMatch(/well-formed Unicode/);
        expect(problem.detail).toContain(field);
      }
      expect(await storedState(t)).toEqual(before);
    });

    it('stores and answers a surrogate pair sent as escapes as the character it encodes', async () => {
      const t = app();
      const res = await t
        .http()
        .post('/tasks')
        .set(as(ALICE))
        .set('content-type', 'application/json')
        .send('{"title":"ship \\ud83d\\ude80 it"}');
      ensureStatus(res, 201);
      expect(res.body.title).toBe('ship \u{1f680} it');
      expect((await getTask(t, res.body.id)).title).toBe('ship \u{1f680} it');
    });
  });

  describe('stalled requests', () => {
    const slow = useTestApp(driver, {
      REQUEST_TIMEOUT_SECONDS: '1',
      CONNECTION_TIMEOUT_SECONDS: '5',
    });

    it('answers a body that stalls after its headers with 408 and closes the connection', async () => {
      const { port } = slow().app.getHttpServer().address() as AddressInfo;
      const socket = net.connect(port, '127.0.0.1');
      const chunks: Buffer[] = [];
      socket.on('data', (chunk) => chunks.push(chunk));
      const startedAt = Date.now();
      const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
      socket.write(
        'POST /tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nX-User-ID: u_alice\r\n' +
          'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"title":',
      );
      await closed;

      const elapsed = Date.now() - startedAt;
      const text = Buffer.concat(chunks).toString('utf8');
      expect(text).toMatch(/^HTTP\/1\.1 408 /);
      expect(text).toContain(`"type":"${PROBLEM_TYPE_BASE}request-timeout"`);
      expect(elapsed).toBeGreaterThanOrEqual(900);
      expect(elapsed).toBeLessThan(4_000);
    }, 15_000);
  });
});
