import type { ProblemBody } from '@taskflow/platform';
import type { Response } from 'supertest';
import { DriverName, startTestApp, TestApp } from './test-app';

/** The dev-mode accounts every test app is seeded with. */
export const ADMIN = 'u_admin';
export const ALICE = 'u_alice';
export const BOB = 'u_bob';
export const AGENT = 'a_builder';

export const PROBLEM_TYPE_BASE = 'https://taskflow.dev/problems/';

/** Dev-mode credentials: the request acts as this account. */
export const as = (user: string): Record<string, string> => ({ 'x-user-id': user });

/**
 * Boots the app for the enclosing describe block and closes it afterwards; call the returned
 * function inside tests.
 */
export function useTestApp(driver: DriverName, env: Record<string, string> = {}): () => TestApp {
  let app: TestApp | undefined;
  beforeAll(async () => {
    app = await startTestApp(driver, env);
  });
  afterAll(async () => {
    await app?.close();
  });
  return () => {
    if (!app) throw new Error('the test app is not running');
    return app;
  };
}

/** Fails with the response body in the message, so a broken fixture step says why. */
export function ensureStatus(res: Response, status: number): Response {
  if (res.status !== status) {
    throw new Error(
      `${res.request.method} ${res.request.url} answered ${res.status}, not ${status}: ${res.text}`,
    );
  }
  return res;
}

export interface Problem extends ProblemBody {
  errors?: { field: string; message: string }[];
}

/** Asserts an RFC 9457 problem of the given status and type slug, and returns its body. */
export function expectProblem(res: Response, status: number, slug: string): Problem {
  expect({ status: res.status, type: res.body?.type }).toEqual({
    status,
    type: PROBLEM_TYPE_BASE + slug,
  });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json(;|$)/);
  expect(res.body).toMatchObject({
    title: expect.any(String),
    status,
    detail: expect.any(String),
    instance: new URL(res.request.url).pathname,
    request_id: res.headers['x-request-id'],
  });
  return res.body as Problem;
}

/** Asserts a 400 validation problem whose `errors` name every given field, and no other. */
export function expectValidationErrors(res: Response, fields: string[]): Problem {
  const problem = expectProblem(res, 400, 'validation');
  expect(problem.errors).toEqual(expect.any(Array));
  expect(new Set(problem.errors?.map((error) => error.field))).toEqual(new Set(fields));
  for (const error of problem.errors ?? []) expect(error.message).toEqual(expect.any(String));
  return problem;
}

let accounts = 0;

/** Registers a fresh account (unique per call) and returns its id. */
export async function registerAccount(
  t: TestApp,
  role: 'human' | 'agent' = 'human',
  prefix = 'u_test',
): Promise<string> {
  accounts += 1;
  const id = `${prefix}${accounts}_${Date.now().toString(36)}`;
  ensureStatus(
    await t
      .http()
      .post('/users')
      .send({ id, name: `Test ${accounts}`, role, password: 'a-long-enough-password' }),
    201,
  );
  return id;
}
