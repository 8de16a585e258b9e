import { PassThrough } from 'node:stream';
import { startTestApp, TestApp } from '../support/test-app';

/** Collects what the app logs, one parsed JSON object per line. */
class LogCapture {
  readonly stream = new PassThrough();
  private buffer = '';
  readonly lines: Record<string, unknown>[] = [];

  constructor() {
    this.stream.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString('utf8');
      let newline: number;
      while ((newline = this.buffer.indexOf('\n')) >= 0) {
        this.lines.push(JSON.parse(this.buffer.slice(0, newline)) as Record<string, unknown>);
        this.buffer = this.buffer.slice(newline + 1);
      }
    });
  }

  /** The request line of the given request id, waiting a little for it: it is written on 'finish'. */
  async requestLine(requestId: string): Promise<Record<string, unknown>> {
    for (let i = 0; i < 50; i++) {
      const line = this.lines.find((l) => l.request_id === requestId && 'status' in l);
      if (line) return line;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(
      `no request line for ${requestId}; got:\n${JSON.stringify(this.lines, null, 1)}`,
    );
  }
}

describe('request log line', () => {
  const logs = new LogCapture();
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(
      'memory',
      { LOG_LEVEL: 'info' },
      { logDestination: logs.stream, nestLogs: true },
    );
  });
  afterAll(() => t.close());

  it('is one JSON line with request id, account id, route template, status and duration', async () => {
    const created = await t
      .http()
      .post('/tasks')
      .set('x-user-id', 'u_alice')
      .set('x-request-id', 'log-test-1')
      .send({ title: 'Logged' });
    expect(created.status).toBe(201);
    await t
      .http()
      .get(`/tasks/${created.body.id}`)
      .set('x-user-id', 'u_alice')
      .set('x-request-id', 'log-test-2')
      .expect(200);

    const line = await logs.requestLine('log-test-2');
    expect(line).toMatchObject({
      level: 'info',
      request_id: 'log-test-2',
      account_id: 'u_alice',
      route: '/tasks/:id',
      status: 200,
      msg: 'request completed',
      req: { method: 'GET', url: `/tasks/${created.body.id}` },
    });
    expect(typeof line.duration_ms).toBe('number');
    expect(typeof line.time).toBe('string');
  });

  it('redacts credentials, cookies and secret fields and never logs the body', async () => {
    const password = 'correct-horse-battery-staple';
    await t
      .http()
      .post('/users?token=reset-token-in-query&lang=en')
      .set('authorization', 'Bearer secret-bearer-token')
      .set('proxy-authorization', 'Basic secret-proxy-credentials')
      .set('x-api-key', 'secret-api-key-header')
      .set('cookie', 'session=secret-cookie')
      .set('x-request-id', 'log-test-secrets')
      .send({ id: 'logged_user', name: 'Logged', role: 'human', password })
      .expect(201);

    const line = await logs.requestLine('log-test-secrets');
    expect(line).toMatchObject({
      route: '/users',
      status: 201,
      account_id: null,
      req: {
        url: '/users?token=%5BRedacted%5D&lang=en',
        headers: {
          authorization: '[Redacted]',
          'proxy-authorization': '[Redacted]',
          'x-api-key': '[Redacted]',
          cookie: '[Redacted]',
        },
      },
    });
    const everything = JSON.stringify(logs.lines);
    for (const secret of [
      password,
      'secret-bearer-token',
      'secret-proxy-credentials',
      'secret-api-key-header',
      'secret-cookie',
      'reset-token-in-query',
    ]) {
      expect(everything).not.toContain(secret);
    }
  });

  it('names an API key by its id, never the key', async () => {
    const admin = (
      await t
        .http()
        .post('/auth/login')
        .send({ id: 'u_admin', password: 'taskflow-dev-password' })
        .expect(200)
    ).body.access_token as string;
    const { id, key } = (
      await t
        .http()
        .post('/api-keys')
        .set('authorization', `Bearer ${admin}`)
        .send({ name: 'logged', scopes: ['tasks:read'], expires_in_days: 1 })
        .expect(201)
    ).body as { id: string; key: string };
    await t
      .http()
      .get('/tasks')
      .set('authorization', `Bearer ${key}`)
      .set('x-request-id', 'log-test-key')
      .expect(200);
    expect(await logs.requestLine('log-test-key')).toMatchObject({
      account_id: 'u_admin',
      via: `api_key:${id}`,
      req: { headers: { authorization: '[Redacted]' } },
    });
    const secret = key.slice(`tfk_${id}_`.length);
    expect(JSON.stringify(logs.lines)).not.toContain(secret);
  });

  it("carries the request's id on what Nest's loggers write while serving it", async () => {
    await t
      .http()
      .post('/users')
      .send({
        id: 'logged_mail',
        name: 'Mail',
        role: 'human',
        password: 'correct-horse-battery-staple',
        email: 'logged@example.test',
      })
      .expect(201);
    await t
      .http()
      .post('/auth/password-reset/request')
      .set('x-request-id', 'log-test-context')
      .send({ id: 'logged_mail' })
      .expect(202);
    // Dev mode's mailer writes the mail to the log through Nest's Logger('Mail').
    await logs.requestLine('log-test-context');
    const mail = logs.lines.find((l) => String(l.msg).includes('To: logged@example.test'));
    expect(mail).toMatchObject({ level: 'warn', context: 'Mail', request_id: 'log-test-context' });
  });

  it('labels a request that matched no route as unmatched', async () => {
    await t.http().get('/no/such/route').set('x-request-id', 'log-test-404').expect(404);
    expect(await logs.requestLine('log-test-404')).toMatchObject({
      route: 'unmatched',
      status: 404,
      req: { url: '/no/such/route' },
    });
  });
});
