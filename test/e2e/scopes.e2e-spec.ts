import { API_KEY_SCOPES } from '@taskflow/identity/domain';
import { bearer, login } from '../support/auth';
import { startTestApp, TestApp, TEST_DRIVERS } from '../support/test-app';

interface Operation {
  security?: unknown[];
  'x-credentials'?: string;
}
type Document = { paths: Record<string, Record<string, Operation>> };

const METHODS = ['get', 'post', 'patch', 'put', 'delete'] as const;
/** What a route may declare: a scope, a password session only, any credential, or public. */
const DECLARATIONS = new Set<string>([...API_KEY_SCOPES, 'session', 'any', 'public']);
const AN_ID = 't_00000000000000000000000000';

interface Route {
  readonly method: (typeof METHODS)[number];
  readonly path: string;
  readonly declared: string | undefined;
}

const routesOf = (document: Document): Route[] =>
  Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => ({
      method,
      path,
      declared: item[method]?.['x-credentials'],
    })),
  );

const name = (route: Route) => `${route.method.toUpperCase()} ${route.path}`;

/**
 * Routes whose answer, once let through, would stay open (a stream): sent with a cursor they
 * refuse (400), which they check only after the credentials, so they answer at once.
 */
const ANSWER_AT_ONCE: Readonly<Record<string, string>> = {
  'GET /events/stream': '?after=not-a-cursor',
};

describe.each(TEST_DRIVERS)('API key scopes, from the OpenAPI document (%s)', (driver) => {
  let t: TestApp;
  let routes: Route[];
  /** One key per scope, of the admin account, so only the scope limits it. */
  const keyFor: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestApp(driver);
    routes = routesOf((await t.http().get('/docs-json').expect(200)).body as Document);
    const admin = (await login(t, 'u_admin')).access_token;
    for (const scope of API_KEY_SCOPES) {
      const res = await t
        .http()
        .post('/api-keys')
        .set(bearer(admin))
        .send({ name: scope, scopes: [scope], expires_in_days: 1 });
      keyFor[scope] = res.body.key as string;
    }
  });
  afterAll(() => t.close());

  const send = (route: Route, key: string) =>
    t
      .http()
      [route.method](route.path.replace(/\{\w+\}/g, AN_ID) + (ANSWER_AT_ONCE[name(route)] ?? ''))
      .set(bearer(key))
      .send(route.method === 'get' || route.method === 'delete' ? undefined : {});

  it('finds every route declaring its credentials: a scope, session, any, or public', () => {
    expect(routes.map(name)).toEqual(
      expect.arrayContaining(['GET /tasks', 'POST /api-keys', 'GET /me', 'GET /livez']),
    );
    for (const route of routes) {
      expect({ route: name(route), declared: DECLARATIONS.has(route.declared ?? '') }).toEqual({
        route: name(route),
        declared: true,
      });
    }
  });

  it('lets each scope through exactly the routes that declare it (scope × route)', async () => {
    const scoped = routes.filter((route) =>
      (API_KEY_SCOPES as readonly string[]).includes(route.declared ?? ''),
    );
    // webhooks:manage joins as its routes (issue 10's webhooks) declare it.
    expect([...new Set(scoped.map((route) => route.declared))]).toEqual(
      expect.arrayContaining(['tasks:read', 'tasks:write', 'tasks:act', 'events:read']),
    );
    for (const route of scoped) {
      for (const scope of API_KEY_SCOPES) {
        const res = await send(route, keyFor[scope]);
        const outcome =
          res.status === 401 || res.status === 403
            ? `${res.status} ${String(res.body.type).split('/').pop()} ${res.body.required_scope ?? ''}`
            : 'let through';
        expect({ route: name(route), scope, outcome }).toEqual({
          route: name(route),
          scope,
          outcome:
            scope === route.declared
              ? 'let through'
              : `403 insufficient-scope ${String(route.declared)}`,
        });
      }
    }
  });

  it('refuses every key on session-only routes and lets any key read the any-credential ones', async () => {
    const all = await t
      .http()
      .post('/api-keys')
      .set(bearer((await login(t, 'u_admin')).access_token))
      .send({ name: 'all', scopes: [...API_KEY_SCOPES], expires_in_days: 1 })
      .expect(201);
    for (const route of routes.filter((r) => r.declared === 'session')) {
      const res = await send(route, all.body.key as string);
      expect({ route: name(route), status: res.status, type: res.body.type }).toEqual({
        route: name(route),
        status: 403,
        type: 'https://taskflow.dev/problems/session-required',
      });
    }
    const anyRoutes = routes.filter((r) => r.declared === 'any');
    expect(anyRoutes.map(name)).toEqual(['GET /me']);
    for (const scope of API_KEY_SCOPES) {
      await send(anyRoutes[0], keyFor[scope]).expect(200);
    }
  });

  it('never lets a key do more than its account', async () => {
    const bob = (await login(t, 'u_bob')).access_token;
    const task = await t
      .http()
      .post('/tasks')
      .set(bearer(bob))
      .send({ title: 'Private' })
      .expect(201);
    const alice = (await login(t, 'u_alice')).access_token;
    const key = (
      await t
        .http()
        .post('/api-keys')
        .set(bearer(alice))
        .send({ name: 'all', scopes: [...API_KEY_SCOPES], expires_in_days: 1 })
        .expect(201)
    ).body.key as string;
    await t.http().get(`/tasks/${task.body.id}`).set(bearer(key)).expect(404);
    const cancel = await t.http().post(`/tasks/${task.body.id}/cancel`).set(bearer(key)).send({});
    expect(cancel.status).toBe(404);
    await t.http().post('/users/u_bob/disable').set(bearer(key)).expect(403);
  });
});
