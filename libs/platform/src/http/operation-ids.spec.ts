import { operationIdFor } from './operation-ids';

describe('operationIdFor', () => {
  it.each([
    ['get', '/tasks', 'listTasks'],
    ['post', '/tasks', 'createTask'],
    ['get', '/tasks/{id}', 'getTask'],
    ['patch', '/tasks/{id}', 'updateTask'],
    ['put', '/tasks/{id}', 'replaceTask'],
    ['delete', '/api-keys/{id}', 'deleteApiKey'],
    ['post', '/tasks/{id}/approve', 'approveTask'],
    ['post', '/tasks/claim', 'claimTasks'],
    ['get', '/tasks/{id}/audit_logs', 'listTaskAuditLogs'],
    ['post', '/users/{id}/api-keys', 'createUserApiKey'],
    ['post', '/users/{id}/revoke-sessions', 'revokeUserSessions'],
    ['get', '/me', 'getMe'],
    // The routes issues 19 and 21 add are named by the rule as they are.
    ['get', '/events', 'listEvents'],
    ['get', '/events/stream', 'streamEvents'],
    ['post', '/webhooks', 'createWebhook'],
    ['get', '/webhooks/{id}/deliveries', 'listWebhookDeliveries'],
    ['post', '/webhooks/{id}/rotate-secret', 'rotateWebhookSecret'],
    ['post', '/webhooks/{id}/replay', 'replayWebhook'],
  ])('%s %s → %s', (method, path, id) => {
    expect(operationIdFor(method, path)).toBe(id);
  });
});
