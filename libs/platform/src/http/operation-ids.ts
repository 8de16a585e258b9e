import type { OpenAPIObject, OperationObject } from '@nestjs/swagger';

/**
 * The operation-id rule (docs/CLIENT.md): a verb and the resource, camelCase, read off the method
 * and the path, so that a generated client gets the names a person would give and a new route is
 * named without an edit:
 *   GET /tasks → listTasks, POST /tasks → createTask,
 *   GET|PATCH|PUT|DELETE /tasks/{id} → getTask, updateTask, replaceTask, deleteTask,
 *   GET /tasks/{id}/audit_logs → listTaskAuditLogs, POST /users/{id}/api-keys → createUserApiKey,
 *   POST /tasks/{id}/approve → approveTask, POST /users/{id}/revoke-sessions → revokeUserSessions,
 *   GET /events/stream → streamEvents, GET /me → getMe.
 * A segment is an action when its first word is one of ACTION_VERBS; a literal segment before an
 * `{id}` names one item (singular), any other literal a collection or a namespace. A route whose
 * derived name reads badly names itself with `@ApiOperation({ operationId })`, which wins.
 */
export const ACTION_VERBS: readonly string[] = [
  'approve',
  'assign',
  'cancel',
  'claim',
  'close',
  'confirm',
  'disable',
  'enable',
  'heartbeat',
  'login',
  'logout',
  'reactivate',
  'refresh',
  'reject',
  'release',
  'replay',
  'request',
  'revoke',
  'rotate',
  'start',
  'stream',
  'submit',
];

/** The verbs an operation id may begin with: the CRUD verbs and the actions. */
export const OPERATION_VERBS: readonly string[] = [
  'list',
  'get',
  'create',
  'update',
  'replace',
  'delete',
  ...ACTION_VERBS,
];

const ITEM_VERBS: Record<string, string> = {
  get: 'get',
  patch: 'update',
  put: 'replace',
  delete: 'delete',
};

const isParameter = (segment: string) => segment.startsWith('{');
const wordsOf = (segment: string) => segment.split(/[-_.]/).filter(Boolean);
const capitalized = (word: string) => word.charAt(0).toUpperCase() + word.slice(1).toLowerCase();
const pascal = (words: string[]) => words.map(capitalized).join('');
const singular = (word: string) =>
  word.endsWith('ies') ? `${word.slice(0, -3)}y` : word.endsWith('s') ? word.slice(0, -1) : word;
/** `audit_logs` → AuditLog: only the last word of a segment is the noun that takes a number. */
const singularOf = (segment: string) => {
  const words = wordsOf(segment);
  return pascal([...words.slice(0, -1), singular(words[words.length - 1] ?? '')]);
};
const isAction = (segment: string) => ACTION_VERBS.includes(wordsOf(segment)[0] ?? '');
const isCollection = (segment: string) => /s$/.test(segment);

/** The id the rule gives `method path` (path in OpenAPI form, `/tasks/{id}/approve`). */
export function operationIdFor(method: string, path: string): string {
  const segments = path.split('/').filter(Boolean);
  const last = segments[segments.length - 1] ?? '';
  const context: string[] = [];
  for (const [index, segment] of segments.slice(0, -1).entries()) {
    if (isParameter(segment)) continue;
    context.push(
      isParameter(segments[index + 1] ?? '') ? singularOf(segment) : pascal(wordsOf(segment)),
    );
  }
  const verb = method.toLowerCase();
  let name: string;
  if (isParameter(last)) {
    name = (ITEM_VERBS[verb] ?? verb) + context.join('');
  } else if (isAction(last)) {
    const [action, ...object] = wordsOf(last);
    name = action + context.join('') + pascal(object);
  } else if (isCollection(last) && verb === 'get') {
    name = `list${context.join('')}${pascal(wordsOf(last))}`;
  } else if (isCollection(last) && verb === 'post') {
    name = `create${context.join('')}${singularOf(last)}`;
  } else {
    name = (ITEM_VERBS[verb] ?? verb) + context.join('') + pascal(wordsOf(last));
  }
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/**
 * Nest's factory answers '' so that nameOperations() can tell an id set with
 * `@ApiOperation({ operationId })` from one the rule must give.
 */
export const operationIdsByRule = (): string => '';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** Gives every operation without an explicit id the rule's (SwaggerModule: operationIdsByRule). */
export function nameOperations(document: OpenAPIObject): OpenAPIObject {
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method] as OperationObject | undefined;
      if (operation && !operation.operationId) operation.operationId = operationIdFor(method, path);
    }
  }
  return document;
}
