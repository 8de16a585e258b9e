import { Validator } from '@seriousme/openapi-schema-validator';
import { OPERATION_VERBS } from '@taskflow/platform';
import { ALICE, as, ensureStatus, useTestApp } from '../support/api';
import { TEST_DRIVERS } from '../support/test-app';

/**
 * The operation ids a generated client (libs/client) is written against: renaming one breaks
 * every client, so the whole list is pinned. A new route adds its row (docs/CLIENT.md).
 */
const OPERATION_IDS: Record<string, string> = {
  'POST /auth/login': 'login',
  'POST /auth/refresh': 'refreshToken',
  'POST /auth/password-reset/request': 'requestPasswordReset',
  'POST /auth/password-reset/confirm': 'confirmPasswordReset',
  'POST /users': 'createUser',
  'GET /me': 'getMe',
  'POST /users/{id}/disable': 'disableUser',
  'POST /users/{id}/revoke-sessions': 'revokeUserSessions',
  'POST /api-keys': 'createApiKey',
  'GET /api-keys': 'listApiKeys',
  'DELETE /api-keys/{id}': 'deleteApiKey',
  'POST /users/{id}/api-keys': 'createUserApiKey',
  'GET /users/{id}/api-keys': 'listUserApiKeys',
  'POST /tasks': 'createTask',
  'GET /tasks': 'listTasks',
  'POST /tasks/claim': 'claimNextTask',
  'GET /tasks/{id}': 'getTask',
  'PATCH /tasks/{id}': 'updateTask',
  'DELETE /tasks/{id}': 'deleteTask',
  'POST /tasks/{id}/assign': 'assignTask',
  'POST /tasks/{id}/start': 'startTask',
  'POST /tasks/{id}/submit': 'submitTask',
  'POST /tasks/{id}/approve': 'approveTask',
  'POST /tasks/{id}/reject': 'rejectTask',
  'POST /tasks/{id}/close': 'closeTask',
  'POST /tasks/{id}/cancel': 'cancelTask',
  'POST /tasks/{id}/claim': 'claimTask',
  'POST /tasks/{id}/release': 'releaseTask',
  'POST /tasks/{id}/heartbeat': 'heartbeatTask',
  'POST /tasks/{id}/reactivate': 'reactivateTask',
  'GET /tasks/{id}/audit_logs': 'listTaskAuditLogs',
  'GET /tasks/{id}/records': 'listTaskRecords',
  'GET /livez': 'getLiveness',
  'GET /readyz': 'getReadiness',
  'GET /health': 'getHealth',
  'GET /metrics': 'getMetrics',
  'GET /events': 'listEvents',
  'GET /events/stream': 'streamEvents',
  'POST /webhooks': 'createWebhook',
  'GET /webhooks': 'listWebhooks',
  'GET /webhooks/{id}': 'getWebhook',
  'PATCH /webhooks/{id}': 'updateWebhook',
  'DELETE /webhooks/{id}': 'deleteWebhook',
  'POST /webhooks/{id}/rotate-secret': 'rotateWebhookSecret',
  'GET /webhooks/{id}/deliveries': 'listWebhookDeliveries',
  'POST /webhooks/{id}/replay': 'replayWebhook',
};

interface Operation {
  operationId?: string;
  requestBody?: { required?: boolean };
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
}
type Document = {
  paths: Record<string, Record<string, Operation>>;
};

const operationsOf = (document: Document): Array<[string, Operation]> =>
  Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]): [string, Operation] => [
      `${method.toUpperCase()} ${path}`,
      operation,
    ]),
  );

describe.each(TEST_DRIVERS)('the OpenAPI document as a client contract (%s)', (driver) => {
  const app = useTestApp(driver);
  let document: Document;

  beforeAll(async () => {
    document = (await app().http().get('/docs-json').expect(200)).body as Document;
  });

  it('validates as OpenAPI 3', async () => {
    const result = await new Validator().validate(structuredClone(document));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('names every operation once, verb first in camelCase, as the pinned list has it', () => {
    const ids = operationsOf(document).map(([name, operation]) => [name, operation.operationId]);
    const values = ids.map(([, id]) => id);
    expect(values.filter((id, index) => values.indexOf(id) !== index)).toEqual([]);
    for (const [name, id] of ids) {
      expect({ name, id }).toEqual({
        name,
        id: expect.stringMatching(/^[a-z]+([A-Z][a-z0-9]*)*$/),
      });
      const verb = /^[a-z]+/.exec(id ?? '')?.[0];
      expect({ name, verb: OPERATION_VERBS.includes(verb ?? '') }).toEqual({ name, verb: true });
    }
    expect(Object.fromEntries(ids)).toEqual(OPERATION_IDS);
  });

  it('documents the event stream as text/event-stream', () => {
    const stream = document.paths['/events/stream'].get;
    expect(Object.keys(stream?.responses['200'].content ?? {})).toEqual(['text/event-stream']);
  });

  it('types every 4xx and 5xx answer as the shared problem+json schema', () => {
    const untyped = operationsOf(document).flatMap(([name, operation]) =>
      Object.entries(operation.responses)
        .filter(([status]) => Number(status) >= 400)
        .filter(
          ([, response]) =>
            Object.keys(response.content ?? {}).join() !== 'application/problem+json' ||
            response.content?.['application/problem+json']?.schema?.$ref !==
              '#/components/schemas/ProblemDto',
        )
        .map(([status]) => `${name} ${status}`),
    );
    expect(untyped).toEqual([]);
  });

  it('marks a body optional exactly where the API takes a request without one', async () => {
    const optional = operationsOf(document)
      .filter(([, operation]) => operation.requestBody?.required === false)
      .map(([name]) => name);
    expect(optional).toEqual(
      expect.arrayContaining(['POST /tasks/claim', 'POST /tasks/{id}/start']),
    );
    expect(optional).not.toContain('PATCH /tasks/{id}');
    expect(optional).not.toContain('POST /tasks/{id}/reject');
    // Sent with no body (and no content type), none of them is refused as malformed.
    for (const name of optional) {
      const task = ensureStatus(
        await app().http().post('/tasks').set(as(ALICE)).send({ title: 'no body', open: true }),
        201,
      ).body as { id: string };
      const path = name.replace(/^POST /, '').replace('{id}', task.id);
      const res = await app().http().post(path).set(as(ALICE));
      expect({ name, refused: [400, 415].includes(res.status) }).toEqual({ name, refused: false });
    }
  });
});
