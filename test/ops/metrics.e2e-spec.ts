import { DEV_PASSWORD } from '../support/auth';
import { startTestApp, TestApp } from '../support/test-app';

/** The value of one series in Prometheus text format, 0 when it is absent. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = line.slice(name.length).split('}')[0];
    if (wanted.every((pair) => labelText.includes(pair))) return Number(line.split(' ').pop());
  }
  return 0;
}

describe('metrics', () => {
  let t: TestApp;
  const scrape = async (): Promise<string> => {
    const res = await t.http().get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    return res.text;
  };
  beforeAll(async () => {
    t = await startTestApp('memory');
  });
  afterAll(() => t.close());

  it('serves process and Node.js metrics without authentication', async () => {
    const text = await scrape();
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
  });

  it('times requests by route template and status, never by raw URL', async () => {
    const created = await t.http().post('/tasks').set('x-user-id', 'u_alice').send({ title: 'm' });
    const labels = { method: 'GET', route: '/tasks/:id', status_code: '200' };
    const before = sample(await scrape(), 'http_request_duration_seconds_count', labels);
    await t.http().get(`/tasks/${created.body.id}`).set('x-user-id', 'u_alice').expect(200);
    await t.http().get(`/tasks/${created.body.id}`).set('x-user-id', 'u_alice').expect(200);
    await t.http().get('/tasks/t_missing').set('x-user-id', 'u_alice').expect(404);
    await t.http().get('/not/a/route/42').expect(404);

    const text = await scrape();
    expect(sample(text, 'http_request_duration_seconds_count', labels)).toBe(before + 2);
    expect(
      sample(text, 'http_request_duration_seconds_count', { ...labels, status_code: '404' }),
    ).toBe(1);
    expect(
      sample(text, 'http_request_duration_seconds_count', {
        route: 'unmatched',
        status_code: '404',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain(created.body.id);
    expect(text).not.toContain('/not/a/route');
  });

  it('counts committed task transitions by action', async () => {
    const before = await scrape();
    const as = (user: string) => ({ 'x-user-id': user });
    const task = await t.http().post('/tasks').set(as('u_alice')).send({ title: 'counted' });
    const id = task.body.id as string;
    await t
      .http()
      .post(`/tasks/${id}/assign`)
      .set(as('u_alice'))
      .send({ assignee_id: 'u_bob' })
      .expect(200);
    await t.http().post(`/tasks/${id}/start`).set(as('u_bob')).expect(200);
    // Refused (409): nothing was committed, so nothing is counted.
    await t.http().post(`/tasks/${id}/approve`).set(as('u_alice')).expect(409);

    const after = await scrape();
    const delta = (action: string): number =>
      sample(after, 'task_transitions_total', { action }) -
      sample(before, 'task_transitions_total', { action });
    expect(delta('create')).toBe(1);
    expect(delta('assign')).toBe(1);
    expect(delta('start')).toBe(1);
    expect(delta('approve')).toBe(0);
  });

  it('counts replayed idempotent responses, and not a key reused with another body', async () => {
    const before = sample(await scrape(), 'idempotent_replays_total', {});
    const post = (title: string) =>
      t
        .http()
        .post('/tasks')
        .set('x-user-id', 'u_alice')
        .set('idempotency-key', 'metrics-key-1')
        .send({ title });
    await post('once').expect(201);
    const replayed = await post('once').expect(201);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    await post('another body').expect(422);

    expect(sample(await scrape(), 'idempotent_replays_total', {})).toBe(before + 1);
  });

  it('counts logins by result, with one value for every refusal', async () => {
    const before = await scrape();
    const login = (id: string, password: string) =>
      t.http().post('/auth/login').send({ id, password });
    await login('u_alice', DEV_PASSWORD).expect(200);
    await login('u_alice', 'not the password!').expect(401);
    await login('u_nobody', DEV_PASSWORD).expect(401);
    const after = await scrape();
    const count = (text: string, result: string) => sample(text, 'logins_total', { result });
    expect(count(after, 'success')).toBe(count(before, 'success') + 1);
    expect(count(after, 'invalid_credentials')).toBe(count(before, 'invalid_credentials') + 2);
  });
});

describe('metrics under rate limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    // An hour-long window, so the test never straddles a window boundary.
    t = await startTestApp('memory', { RATE_LIMIT_GLOBAL: '2/3600s' });
  });
  afterAll(() => t.close());

  it('counts each 429 by policy, and never limits the scrape', async () => {
    const scrape = async () => (await t.http().get('/metrics').expect(200)).text;
    const labels = { policy: 'global' };
    const before = sample(await scrape(), 'rate_limited_requests_total', labels);
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await t.http().get('/me').set('x-user-id', 'u_bob')).status);
    }
    expect(statuses).toEqual([200, 200, 429, 429]);
    for (let i = 0; i < 3; i++) await scrape();

    expect(sample(await scrape(), 'rate_limited_requests_total', labels)).toBe(before + 2);
  });
});
