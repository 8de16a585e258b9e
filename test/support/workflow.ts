import type { Response } from 'supertest';
import type { TestApp } from './test-app';

/** Dev-mode credentials: the request acts as this account. */
export const as = (user: string): Record<string, string> => ({ 'x-user-id': user });

export function expectStatus(res: Response, status: number): Response {
  if (res.status !== status) {
    throw new Error(
      `${res.request.method} ${res.request.url} answered ${res.status}, not ${status}: ${res.text}`,
    );
  }
  return res;
}

/** `by` assigns the task to `assignee`, which must answer 200. */
export async function assignAs(
  t: TestApp,
  by: string,
  taskId: string,
  assignee: string,
): Promise<Response> {
  return expectStatus(
    await t.http().post(`/tasks/${taskId}/assign`).set(as(by)).send({ assignee_id: assignee }),
    200,
  );
}

/** A task created by u_alice and assigned to u_bob (version 2); returns its id. */
export async function anAssignedTask(t: TestApp, title = 'Reconcile the ledger'): Promise<string> {
  const created = expectStatus(
    await t.http().post('/tasks').set(as('u_alice')).send({ title }),
    201,
  );
  const id = created.body.id as string;
  await assignAs(t, 'u_alice', id, 'u_bob');
  return id;
}

/** Every item of a paged list endpoint, following `next_cursor`. */
export async function allPages<T>(t: TestApp, path: string, user = 'u_admin'): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const res = expectStatus(
      await t
        .http()
        .get(path)
        .query({ limit: 100, ...(cursor ? { cursor } : {}) })
        .set(as(user)),
      200,
    );
    items.push(...(res.body.items as T[]));
    cursor = res.body.next_cursor as string | null;
  } while (cursor !== null);
  return items;
}

export interface TaskHistory {
  readonly task: { version: number; status: string; [field: string]: unknown };
  readonly audit: { version: number; to_status: string }[];
  readonly records: { version: number; kind: string; body: string | null }[];
}

/** The task (as an admin sees it) with its whole audit log and records. */
export async function historyOf(t: TestApp, id: string): Promise<TaskHistory> {
  const task = expectStatus(await t.http().get(`/tasks/${id}`).set(as('u_admin')), 200).body;
  return {
    task,
    audit: await allPages(t, `/tasks/${id}/audit_logs`),
    records: await allPages(t, `/tasks/${id}/records`),
  };
}

/** DESIGN §2: a task's version is the number of its audit entries, 1..n without gaps. */
export function expectConsistent(history: TaskHistory): void {
  const versions = history.audit.map((entry) => entry.version);
  expect(versions).toEqual(versions.map((_, index) => index + 1));
  expect(history.task.version).toBe(history.audit.length);
  expect(history.audit[history.audit.length - 1].to_status).toBe(history.task.status);
  for (const record of history.records) {
    expect(record.version).toBeLessThanOrEqual(history.audit.length);
  }
}

/** A transition with a comment: claim (audit entry), comment record, task document. */
export const startWithComment = (t: TestApp, id: string) =>
  t.http().post(`/tasks/${id}/start`).set(as('u_bob')).send({ comment: 'On it' });
