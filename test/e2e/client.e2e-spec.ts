import {
  apiKey,
  createClient,
  etagOf,
  JwtSession,
  problemSlug,
  type TaskflowClient,
} from '@taskflow/client';
import { ADMIN, AGENT, ALICE } from '../support/api';
import { DEV_PASSWORD } from '../support/auth';
import { startTestApp, TEST_DRIVERS, type TestApp } from '../support/test-app';

/** A client acting as a dev-mode account through a real password session. */
async function clientAs(baseUrl: string, id: string): Promise<TaskflowClient> {
  const session = await JwtSession.login(id, DEV_PASSWORD, { baseUrl });
  return createClient({ baseUrl, credentials: session });
}

describe.each(TEST_DRIVERS)('@taskflow/client against the running app (%s)', (driver) => {
  let t: TestApp;
  let baseUrl: string;

  beforeAll(async () => {
    t = await startTestApp(driver);
    baseUrl = await t.app.getUrl();
  });
  afterAll(() => t.close());

  it("walks the README's task life, typed end to end", async () => {
    const alice = await clientAs(baseUrl, ALICE);
    const agent = await clientAs(baseUrl, AGENT);

    const created = await alice.POST('/tasks', {
      body: { title: 'Write the release notes', priority: 'high' },
    });
    expect(created.response.status).toBe(201);
    const id = created.data!.id;
    const path = { path: { id } };

    expect(
      (await alice.POST('/tasks/{id}/assign', { params: path, body: { assignee_id: AGENT } })).data
        ?.status,
    ).toBe('assigned');
    // Actions without a body, as the curl walk sends them.
    expect((await agent.POST('/tasks/{id}/start', { params: path })).data?.status).toBe(
      'in_progress',
    );
    await agent.POST('/tasks/{id}/submit', {
      params: path,
      body: { comment: 'Draft is in docs/release.md' },
    });
    const rejected = await alice.POST('/tasks/{id}/reject', {
      params: path,
      body: { reason: 'Missing the migration notes' },
    });
    expect(rejected.data?.status).toBe('rejected');
    await agent.POST('/tasks/{id}/start', { params: path });
    const submitted = await agent.POST('/tasks/{id}/submit', { params: path });
    expect(submitted.data).toMatchObject({ status: 'submitted', assignee_id: AGENT, version: 7 });

    // Refusals come back as typed problems.
    const selfApproval = await agent.POST('/tasks/{id}/approve', { params: path });
    expect(selfApproval.response.status).toBe(403);
    expect(problemSlug(selfApproval.error)).toBe('forbidden');
    const early = await alice.POST('/tasks/{id}/close', { params: path });
    expect(early.response.status).toBe(409);
    expect(early.error).toMatchObject({
      type: 'https://taskflow.dev/problems/invalid-transition',
      current_status: 'submitted',
      allowed_actions: expect.arrayContaining(['approve', 'reject']),
    });

    // If-Match: the ETag she last saw works once; a stale one is 412.
    const approved = await alice.POST('/tasks/{id}/approve', {
      params: { ...path, header: { 'If-Match': etagOf(7) } },
    });
    expect(approved.data?.status).toBe('approved');
    expect(approved.response.headers.get('etag')).toBe(etagOf(8));
    const stale = await alice.POST('/tasks/{id}/close', {
      params: { ...path, header: { 'If-Match': etagOf(7) } },
    });
    expect(stale.response.status).toBe(412);
    const closed = await alice.POST('/tasks/{id}/close', {
      params: { ...path, header: { 'If-Match': etagOf(8) } },
    });
    expect(closed.data).toMatchObject({ status: 'closed', version: 9 });

    const audit = await alice.GET('/tasks/{id}/audit_logs', { params: path });
    expect(audit.data?.items.map((entry) => entry.action)).toEqual([
      'create',
      'assign',
      'start',
      'submit',
      'reject',
      'start',
      'submit',
      'approve',
      'close',
    ]);
    const records = await alice.GET('/tasks/{id}/records', { params: path });
    expect(records.data?.items.map((record) => record.kind)).toEqual([
      'submission',
      'rejection',
      'submission',
    ]);
    const list = await alice.GET('/tasks', { params: { query: { status: 'closed', limit: 10 } } });
    expect(list.data?.items.map((task) => task.id)).toContain(id);
  });

  it('sends an API key, and an Idempotency-Key replays the first answer', async () => {
    const admin = await clientAs(baseUrl, ADMIN);
    const made = await admin.POST('/api-keys', {
      body: { name: 'client test', scopes: ['tasks:read', 'tasks:write'], expires_in_days: 1 },
    });
    expect(made.response.status).toBe(201);
    const keyed = createClient({ baseUrl, credentials: apiKey(made.data!.key) });
    const body = { title: 'Made with a key' };
    const header = { 'Idempotency-Key': 'client-e2e-1' };
    const first = await keyed.POST('/tasks', { body, params: { header } });
    const again = await keyed.POST('/tasks', { body, params: { header } });
    expect(first.response.status).toBe(201);
    expect(again.data?.id).toBe(first.data?.id);
    expect(again.response.headers.get('idempotent-replayed')).toBe('true');
  });
});

describe.each(TEST_DRIVERS)('JwtSession against the running app (%s)', (driver) => {
  const ACCESS_TOKEN_TTL = 3;
  let t: TestApp;
  let baseUrl: string;

  beforeAll(async () => {
    t = await startTestApp(driver, { ACCESS_TOKEN_TTL: String(ACCESS_TOKEN_TTL) });
    baseUrl = await t.app.getUrl();
  });
  afterAll(() => t.close());

  it('refreshes an expired access token once for 20 concurrent calls', async () => {
    const refreshes: string[] = [];
    const counting = (request: Request) => {
      if (new URL(request.url).pathname === '/auth/refresh') refreshes.push(request.url);
      return fetch(request);
    };
    const rotated: string[] = [];
    const session = await JwtSession.login(ALICE, DEV_PASSWORD, {
      baseUrl,
      fetch: counting,
      onRefresh: (tokens) => rotated.push(tokens.refresh_token),
    });
    const first = session.tokens;
    const client = createClient({ baseUrl, credentials: session });
    expect((await client.GET('/me')).data?.id).toBe(ALICE);
    expect(refreshes).toHaveLength(0);

    // Past its expiry the old token is refused: the refresh is needed, not merely early.
    await new Promise((resolve) => setTimeout(resolve, ACCESS_TOKEN_TTL * 1000 + 300));
    const stale = await fetch(`${baseUrl}/me`, {
      headers: { authorization: `Bearer ${first.access_token}` },
    });
    expect(stale.status).toBe(401);

    const answers = await Promise.all(Array.from({ length: 20 }, () => client.GET('/me')));
    expect(answers.map((answer) => answer.response.status)).toEqual(Array(20).fill(200));
    expect(refreshes).toHaveLength(1);
    expect(rotated).toEqual([session.tokens.refresh_token]);
    expect(session.tokens.refresh_token).not.toBe(first.refresh_token);
  });
});
