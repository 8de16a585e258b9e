import { Validator } from '@seriousme/openapi-schema-validator';
import type { Test } from 'supertest';
import { ALICE, as, BOB, expectProblem, useTestApp } from '../support/api';
import { act, driveTo, TaskBody } from '../support/tasks';
import { TEST_DRIVERS, TestApp } from '../support/test-app';

/** Every route the API serves, as the OpenAPI document must list it. */
const ROUTES = [
  'GET /events',
  'GET /events/stream',
  'POST /webhooks',
  'GET /webhooks',
  'GET /webhooks/{id}',
  'PATCH /webhooks/{id}',
  'DELETE /webhooks/{id}',
  'POST /webhooks/{id}/rotate-secret',
  'GET /webhooks/{id}/deliveries',
  'POST /webhooks/{id}/replay',
  'GET /livez',
  'GET /readyz',
  'GET /health',
  'GET /metrics',
  'POST /users',
  'GET /me',
  'POST /users/{id}/disable',
  'POST /users/{id}/revoke-sessions',
  'POST /auth/login',
  'POST /auth/refresh',
  'POST /auth/password-reset/request',
  'POST /auth/password-reset/confirm',
  'POST /tasks',
  'GET /tasks',
  'GET /tasks/{id}',
  'PATCH /tasks/{id}',
  'DELETE /tasks/{id}',
  'POST /tasks/{id}/assign',
  'POST /tasks/{id}/start',
  'POST /tasks/{id}/submit',
  'POST /tasks/{id}/approve',
  'POST /tasks/{id}/reject',
  'POST /tasks/{id}/close',
  'POST /tasks/{id}/cancel',
  'POST /tasks/{id}/reactivate',
  'POST /tasks/claim',
  'POST /tasks/{id}/claim',
  'POST /tasks/{id}/release',
  'POST /tasks/{id}/heartbeat',
  'GET /tasks/{id}/audit_logs',
  'GET /tasks/{id}/records',
  'POST /api-keys',
  'GET /api-keys',
  'DELETE /api-keys/{id}',
  'POST /users/{id}/api-keys',
  'GET /users/{id}/api-keys',
];

const PUBLIC = new Set([
  'GET /livez',
  'GET /readyz',
  'GET /health',
  'GET /metrics',
  'POST /users',
  'POST /auth/login',
  'POST /auth/refresh',
  'POST /auth/password-reset/request',
  'POST /auth/password-reset/confirm',
]);

/** Public routes that still answer 401: for bad credentials or a bad refresh token. */
const PUBLIC_WITH_401 = new Set(['POST /auth/login', 'POST /auth/refresh']);

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

interface Operation {
  security?: Record<string, string[]>[];
  responses: Record<string, { content?: Record<string, unknown> }>;
}

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  [member: string]: unknown;
}

function operations(doc: OpenApiDocument): [string, Operation][] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => HTTP_METHODS.includes(method))
      .map(([method, operation]): [string, Operation] => [
        `${method.toUpperCase()} ${path}`,
        operation,
      ]),
  );
}

describe.each(TEST_DRIVERS)('system endpoints (%s driver)', (driver) => {
  const app = useTestApp(driver);

  it('answers /livez with 200 and no credentials', async () => {
    const res = await app().http().get('/livez');

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({ status: 'ok', info: {}, error: {}, details: {} });
  });

  it('serves the Swagger UI at /docs', async () => {
    const res = await app().http().get('/docs');

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
  });

  describe('/docs-json', () => {
    let doc: OpenApiDocument;

    beforeAll(async () => {
      const res = await app().http().get('/docs-json');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      doc = res.body as OpenApiDocument;
    });

    it('is a valid OpenAPI 3 document', async () => {
      const result = await new Validator().validate(structuredClone(doc));

      expect(result.errors ?? []).toEqual([]);
      expect(result.valid).toBe(true);
      expect(doc.openapi).toMatch(/^3\./);
    });

    it('lists every route, and no other', () => {
      expect(
        operations(doc)
          .map(([route]) => route)
          .sort(),
      ).toEqual([...ROUTES].sort());
    });

    it('lists only routes the server answers', async () => {
      for (const route of ROUTES) {
        const [method, path] = route.split(' ');
        const url = path.replace('{id}', 't_00000000000000000000000000');
        const res = await app()
          .http()
          [method.toLowerCase() as 'get' | 'post' | 'patch' | 'delete'](url);
        // An unrouted request answers 404 "Cannot <METHOD> <url>" before any guard runs.
        expect({ route, detail: res.body.detail }).not.toEqual({
          route,
          detail: `Cannot ${method} ${url}`,
        });
      }
    });

    it('marks every route but the public ones as authenticated, with a documented 401', () => {
      for (const [route, operation] of operations(doc)) {
        const authenticated = !PUBLIC.has(route);
        expect({ route, secured: (operation.security ?? []).length > 0 }).toEqual({
          route,
          secured: authenticated,
        });
        expect({ route, has401: '401' in operation.responses }).toEqual({
          route,
          has401: authenticated || PUBLIC_WITH_401.has(route),
        });
      }
    });

    it('documents every error response as application/problem+json', () => {
      for (const [route, operation] of operations(doc)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          if (Number(status) < 400) continue;
          expect({ route, status, types: Object.keys(response.content ?? {}) }).toEqual({
            route,
            status,
            types: ['application/problem+json'],
          });
        }
      }
    });
  });

  describe('every error is application/problem+json', () => {
    let submitted: TaskBody;
    let pending: TaskBody;

    beforeAll(async () => {
      submitted = await driveTo(app(), 'submitted');
      pending = await driveTo(app(), 'pending');
    });

    const cases: [string, number, string, (t: TestApp) => Test][] = [
      [
        'a validation error',
        400,
        'validation',
        (t) => t.http().post('/tasks').set(as(ALICE)).send({}),
      ],
      [
        'malformed JSON',
        400,
        'bad-request',
        (t) =>
          t.http().post('/tasks').set(as(ALICE)).set('content-type', 'application/json').send('{'),
      ],
      ['a missing identity', 401, 'unauthenticated', (t) => t.http().get('/tasks')],
      [
        'an action the actor may not take',
        403,
        'forbidden',
        (t) => act(t, BOB, submitted.id, 'approve'),
      ],
      ['an unknown route', 404, 'not-found', (t) => t.http().get('/nowhere').set(as(ALICE))],
      ['an unrouted method', 404, 'not-found', (t) => t.http().put('/tasks').set(as(ALICE))],
      [
        'an unknown task',
        404,
        'not-found',
        (t) => t.http().get('/tasks/t_00000000000000000000000000').set(as(ALICE)),
      ],
      [
        'an invalid transition',
        409,
        'invalid-transition',
        (t) => act(t, ALICE, pending.id, 'close'),
      ],
      [
        'a taken account id',
        409,
        'conflict',
        (t) =>
          t
            .http()
            .post('/users')
            .send({ id: ALICE, name: 'A', role: 'human', password: 'long-enough-password' }),
      ],
      [
        'a stale If-Match',
        412,
        'precondition-failed',
        (t) => act(t, ALICE, pending.id, 'cancel').set('if-match', '"99"'),
      ],
      [
        'a malformed percent-encoding in the path',
        400,
        'bad-request',
        (t) => t.http().get('/tasks/%E0%A4%A').set(as(ALICE)),
      ],
      [
        'a task id too long to route',
        414,
        'uri-too-long',
        (t) =>
          t
            .http()
            .get(`/tasks/${'a'.repeat(500)}`)
            .set(as(ALICE)),
      ],
      [
        'a body over 1 MiB',
        413,
        'payload-too-large',
        (t) =>
          t
            .http()
            .post('/users')
            .set('content-type', 'application/json')
            .send(`{"name":"${'x'.repeat(1024 * 1024)}"}`),
      ],
      [
        'an unsupported content type',
        415,
        'unsupported-media-type',
        (t) =>
          t
            .http()
            .post('/tasks')
            .set(as(ALICE))
            .set('content-type', 'application/xml')
            .send('<task/>'),
      ],
      [
        'an assignee that cannot be used',
        422,
        'unprocessable',
        (t) => act(t, ALICE, pending.id, 'assign', { assignee_id: 'u_nobody' }),
      ],
    ];

    it.each(cases)('for %s (%i %s)', async (_, status, slug, send) => {
      expectProblem(await send(app()), status, slug);
    });

    it.each(cases)('keeps a sane X-Request-ID for %s', async (_, status, _slug, send) => {
      const res = await send(app()).set('x-request-id', `error-${status}`);

      expect(res.headers['x-request-id']).toBe(`error-${status}`);
      expect(res.body.request_id).toBe(`error-${status}`);
    });
  });
});
