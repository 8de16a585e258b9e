import type { Response, Test } from 'supertest';
import { ALICE, as, BOB, ensureStatus } from './api';
import type { TestApp } from './test-app';

export type TaskStatus =
  | 'pending'
  | 'assigned'
  | 'in_progress'
  | 'submitted'
  | 'rejected'
  | 'approved'
  | 'closed'
  | 'cancelled';

export type TaskAction =
  'assign' | 'start' | 'submit' | 'approve' | 'reject' | 'close' | 'cancel' | 'reactivate';

/** A task as the API answers it. */
export interface TaskBody {
  id: string;
  title: string;
  description: string;
  status: TaskStatus;
  priority: string;
  due_at: string | null;
  creator_id: string;
  assignee_id: string | null;
  reviewer_id: string | null;
  open: boolean;
  open_to: 'agent' | 'human' | 'any';
  lease_expires_at: string | null;
  version: number;
  created_at: string;
  updated_at: string;
  allowed_actions: string[];
}

export interface AuditEntryBody {
  id: string;
  task_id: string;
  actor_id: string;
  action: string;
  from_status: string | null;
  to_status: string;
  changes: Record<string, { from: unknown; to: unknown }>;
  version: number;
  request_id: string | null;
  at: string;
}

export interface RecordBody {
  id: string;
  task_id: string;
  actor_id: string;
  kind: 'comment' | 'submission' | 'rejection';
  body: string | null;
  version: number;
  at: string;
}

let titles = 0;

/** POST /tasks as `by`; the title is unique unless given. */
export async function createTask(
  t: TestApp,
  by: string = ALICE,
  body: Record<string, unknown> = {},
): Promise<TaskBody> {
  titles += 1;
  const res = await t
    .http()
    .post('/tasks')
    .set(as(by))
    .send({ title: `Task ${titles}`, ...body });
  return ensureStatus(res, 201).body as TaskBody;
}

/** POST /tasks/:id/:action as `by`; the caller checks the response. */
export function act(
  t: TestApp,
  by: string,
  id: string,
  action: TaskAction,
  body: Record<string, unknown> = {},
): Test {
  return t.http().post(`/tasks/${id}/${action}`).set(as(by)).send(body);
}

export async function getTask(t: TestApp, id: string, by: string = ALICE): Promise<TaskBody> {
  return ensureStatus(await t.http().get(`/tasks/${id}`).set(as(by)), 200).body as TaskBody;
}

export interface Cast {
  /** Creates the task (default u_alice, who then reviews unless `reviewer` is set). */
  readonly creator?: string;
  readonly assignee?: string;
  readonly reviewer?: string;
}

/** The steps from a fresh task to each status along the usual path. */
const PATHS: Record<TaskStatus, TaskAction[]> = {
  pending: [],
  assigned: ['assign'],
  in_progress: ['assign', 'start'],
  submitted: ['assign', 'start', 'submit'],
  rejected: ['assign', 'start', 'submit', 'reject'],
  approved: ['assign', 'start', 'submit', 'approve'],
  closed: ['assign', 'start', 'submit', 'approve', 'close'],
  cancelled: ['cancel'],
};

/** Creates a task and drives it to `status` through the API, each step by whoever may take it. */
export async function driveTo(t: TestApp, status: TaskStatus, cast: Cast = {}): Promise<TaskBody> {
  const creator = cast.creator ?? ALICE;
  const assignee = cast.assignee ?? BOB;
  const reviewer = cast.reviewer ?? creator;
  let task = await createTask(t, creator, cast.reviewer ? { reviewer_id: cast.reviewer } : {});
  const by: Record<TaskAction, string> = {
    assign: creator,
    start: assignee,
    submit: assignee,
    approve: reviewer,
    reject: reviewer,
    close: creator,
    cancel: creator,
    reactivate: creator,
  };
  const bodies: Partial<Record<TaskAction, Record<string, unknown>>> = {
    assign: { assignee_id: assignee },
    reject: { reason: 'Needs another pass' },
  };
  for (const action of PATHS[status]) {
    const res = await act(t, by[action], task.id, action, bodies[action] ?? {});
    task = ensureStatus(res, 200).body as TaskBody;
  }
  return task;
}

/** Every item of a paged list, following next_cursor to the end. */
export async function allPages<T>(t: TestApp, path: string, by: string, limit = 100): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const query: Record<string, string | number> = { limit };
    if (cursor) query.cursor = cursor;
    const res: Response = ensureStatus(await t.http().get(path).query(query).set(as(by)), 200);
    items.push(...(res.body.items as T[]));
    cursor = res.body.next_cursor as string | null;
  } while (cursor);
  return items;
}

export const auditLogOf = (t: TestApp, id: string, by: string): Promise<AuditEntryBody[]> =>
  allPages<AuditEntryBody>(t, `/tasks/${id}/audit_logs`, by);

export const recordsOf = (t: TestApp, id: string, by: string): Promise<RecordBody[]> =>
  allPages<RecordBody>(t, `/tasks/${id}/records`, by);
