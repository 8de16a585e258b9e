import { IDEMPOTENCY_KEY_PATTERN, IdempotencyStore } from '@taskflow/idempotency';
import { startTestApp, TEST_DRIVERS, TestApp } from '../support/test-app';

describe.each(TEST_DRIVERS)('Idempotency-Key (%s driver)', (driver) => {
  let t: TestApp;

  beforeEach(async () => {
    t = await startTestApp(driver);
  });
  afterEach(() => t.close());

  const create = (user: string, key: string, body: object = { title: 'Pay the invoice' }) =>
    t.http().post('/tasks').set('x-user-id', user).set('idempotency-key', key).send(body);

  const tasksOf = async (user: string) =>
    (await t.http().get('/tasks?limit=100').set('x-user-id', user).expect(200)).body.items as {
      id: string;
    }[];

  it('replays the first answer to a repeat, with its status, body and headers', async () => {
    const first = await create('u_alice', 'k-1');
    const again = await create('u_alice', 'k-1');

    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(again.headers.etag).toBe(first.headers.etag);
    expect(again.headers.location).toBe(first.headers.location);
    expect(await tasksOf('u_alice')).toHaveLength(1);
  });

  it('replays the status a handler chose itself: an empty claim stays 204', async () => {
    const claim = () =>
      t.http().post('/tasks/claim').set('x-user-id', 'a_builder').set('idempotency-key', 'k-claim');
    const first = await claim().send({});
    const again = await claim().send({});

    expect(first.status).toBe(204);
    expect(again.status).toBe(204);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.text).toBe('');
  });

  it('accepts the key as an RFC 9651 string too', async () => {
    const first = await create('u_alice', '"k-quoted"');
    const again = await create('u_alice', 'k-quoted');
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.id).toBe(first.body.id);
  });

  it('refuses the same key with another body (422) and writes nothing', async () => {
    await create('u_alice', 'k-2').expect(201);
    const other = await create('u_alice', 'k-2', { title: 'Something else' });
    expect(other.status).toBe(422);
    expect(other.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(other.body.type).toBe('https://taskflow.dev/problems/idempotency-key-reused');
    expect(await tasksOf('u_alice')).toHaveLength(1);
  });

  it('answers 409 to a repeat while the first request is still running', async () => {
    const store = t.app.get(IdempotencyStore);
    const complete = store.complete.bind(store);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const running = new Promise<void>((resolve) => (entered = resolve));
    jest.spyOn(store, 'complete').mockImplementationOnce(async (...args) => {
      entered();
      await gate;
      return complete(...args);
    });

    const first = create('u_alice', 'k-3').then((res) => res);
    await running;
    const during = await create('u_alice', 'k-3');
    release();

    expect(during.status).toBe(409);
    expect(during.headers['retry-after']).toBe('1');
    expect(during.body.type).toBe('https://taskflow.dev/problems/idempotency-in-flight');
    expect((await first).status).toBe(201);
    expect((await create('u_alice', 'k-3')).headers['idempotent-replayed']).toBe('true');
  });

  it.each([
    ['longer than 255 characters', 'k'.repeat(256)],
    ['empty', '""'],
  ])('refuses a key that is %s (400)', async (_, key) => {
    const res = await create('u_alice', key);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'Idempotency-Key', message: expect.any(String) }]);
    expect(await tasksOf('u_alice')).toHaveLength(0);
  });

  it('is honoured on every authenticated POST and PATCH, as the OpenAPI document lists it', async () => {
    type Operation = {
      security?: unknown[];
      parameters?: { name: string }[];
      'x-not-replayable'?: string;
    };
    const document = (await t.http().get('/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, Operation>>;
    };
    const authenticated = Object.entries(document.paths).flatMap(([path, item]) =>
      (['post', 'patch'] as const)
        .filter((method) => item[method]?.security?.length)
        .map((method) => ({ method, path, operation: item[method] as Operation })),
    );
    // An answer that shows an API key or a webhook secret once is never stored for a replay (it
    // would sit in clear in the store); only those routes may say so.
    const notReplayable = authenticated.filter(({ operation }) => operation['x-not-replayable']);
    expect(notReplayable.map(({ method, path }) => `${method} ${path}`).sort()).toEqual([
      'post /api-keys',
      'post /users/{id}/api-keys',
      'post /webhooks',
      'post /webhooks/{id}/rotate-secret',
    ]);
    const writes = authenticated.filter(({ operation }) => !operation['x-not-replayable']);
    expect(writes.map(({ method, path }) => `${method} ${path}`)).toEqual(
      expect.arrayContaining([
        'post /tasks',
        'patch /tasks/{id}',
        'post /tasks/{id}/reject',
        'post /users/{id}/disable',
      ]),
    );
    for (const { method, path, operation } of writes) {
      const route = `${method.toUpperCase()} ${path}`;
      expect({
        route,
        documented: operation.parameters?.some((p) => p.name === 'Idempotency-Key'),
      }).toEqual({ route, documented: true });
      // The interceptor reads the key before any pipe or handler: a bad key answers 400 for the
      // key itself on every route that honours it, whatever the body or the id.
      const res = await t
        .http()
        [method](path.replace(/\{\w+\}/g, 't_00000000000000000000000000'))
        .set('x-user-id', 'u_admin')
        .set('idempotency-key', 'k'.repeat(256))
        .send({});
      expect({ route, status: res.status, errors: res.body.errors }).toEqual({
        route,
        status: 400,
        errors: [{ field: 'Idempotency-Key', message: expect.any(String) }],
      });
    }
  });

  it('scopes a key to its account', async () => {
    const alice = await create('u_alice', 'shared-key');
    const bob = await create('u_bob', 'shared-key');
    expect(bob.status).toBe(201);
    expect(bob.headers['idempotent-replayed']).toBeUndefined();
    expect(bob.body.id).not.toBe(alice.body.id);
  });

  it('scopes a key to its path', async () => {
    const one = (await create('u_alice', 'k-a').expect(201)).body.id;
    const two = (await create('u_alice', 'k-b').expect(201)).body.id;
    const assign = (id: string) =>
      t
        .http()
        .post(`/tasks/${id}/assign`)
        .set('x-user-id', 'u_alice')
        .set('idempotency-key', 'k-assign')
        .send({ assignee_id: 'u_bob' });
    expect((await assign(one)).body.id).toBe(one);
    const second = await assign(two);
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    expect(second.body).toMatchObject({ id: two, status: 'assigned' });
  });

  it('creates exactly one task from 50 concurrent repeats', async () => {
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => create('u_alice', 'k-burst')),
    );
    const statuses = new Set(answers.map((res) => res.status));
    expect([...statuses].every((status) => status === 201 || status === 409)).toBe(true);
    const ids = new Set(answers.filter((res) => res.status === 201).map((res) => res.body.id));
    expect(ids.size).toBe(1);
    expect(await tasksOf('u_alice')).toHaveLength(1);
  });

  it('replays a final refusal, but not a validation failure that never ran', async () => {
    const id = (await create('u_alice', 'k-c').expect(201)).body.id;
    const start = () =>
      t
        .http()
        .post(`/tasks/${id}/start`)
        .set('x-user-id', 'u_alice')
        .set('idempotency-key', 'k-start')
        .send({});
    const refused = await start();
    expect(refused.status).toBe(409);
    const replayed = await start();
    expect(replayed.status).toBe(409);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(replayed.body).toEqual(refused.body);

    const invalid = await create('u_alice', 'k-fixable', { title: '' });
    expect(invalid.status).toBe(400);
    const fixed = await create('u_alice', 'k-fixable', { title: 'Now valid' });
    expect(fixed.status).toBe(201);
    expect(fixed.headers['idempotent-replayed']).toBeUndefined();
  });

  it('replays a PATCH with its ETag', async () => {
    const id = (await create('u_alice', 'k-d').expect(201)).body.id;
    const patch = () =>
      t
        .http()
        .patch(`/tasks/${id}`)
        .set('x-user-id', 'u_alice')
        .set('idempotency-key', 'k-patch')
        .send({ priority: 'urgent' });
    const first = await patch();
    const again = await patch();
    expect(first.status).toBe(200);
    expect(first.headers.etag).toBe('"2"');
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers.etag).toBe('"2"');
    const log = await t
      .http()
      .get(`/tasks/${id}/audit_logs`)
      .set('x-user-id', 'u_alice')
      .expect(200);
    expect(log.body.items).toHaveLength(2);
  });

  it('ignores the header on GET', async () => {
    const res = await t
      .http()
      .get('/tasks')
      .set('x-user-id', 'u_alice')
      .set('idempotency-key', 'k'.repeat(300));
    expect(res.status).toBe(200);
  });
});

describe('Idempotency-Key in the OpenAPI document', () => {
  type Parameter = { name: string; description?: string; schema?: { pattern?: string } };
  const keyParameters = async (env: Record<string, string>) => {
    const t = await startTestApp('memory', env);
    try {
      const document = (await t.http().get('/docs-json').expect(200)).body as {
        paths: Record<string, Record<string, { parameters?: Parameter[] }>>;
      };
      return Object.values(document.paths)
        .flatMap((item) => Object.values(item))
        .flatMap((operation) => operation.parameters ?? [])
        .filter((parameter) => parameter.name === 'Idempotency-Key');
    } finally {
      await t.close();
    }
  };

  it('states the configured IDEMPOTENCY_TTL and the key rule the interceptor applies', async () => {
    const configured = await keyParameters({ IDEMPOTENCY_TTL: '5400' });
    expect(configured.length).toBeGreaterThan(5);
    for (const parameter of configured) {
      expect(parameter.description).toBe(
        'Repeat a request safely: the first answer is replayed for 90 minutes',
      );
      expect(parameter.schema?.pattern).toBe(IDEMPOTENCY_KEY_PATTERN);
    }
    const byDefault = await keyParameters({});
    expect(new Set(byDefault.map((parameter) => parameter.description))).toEqual(
      new Set(['Repeat a request safely: the first answer is replayed for 24 hours']),
    );
  });
});
