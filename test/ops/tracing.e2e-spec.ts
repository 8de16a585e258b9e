import { randomBytes } from 'node:crypto';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BuiltApp, startBuiltApp } from '../support/built-app';
import { freshDatabaseUri, migrateUp } from '../support/mongo';
import { TEST_DRIVERS } from '../support/test-app';

interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: { key: string; value: { stringValue?: string } }[];
}

/** A minimal OTLP/HTTP receiver: collects the spans of every JSON export request. */
class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  readonly paths: string[] = [];
  private readonly server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      this.paths.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
      if (req.url === '/v1/traces') {
        const payload = JSON.parse(body) as {
          resourceSpans: { scopeSpans: { spans: ReceivedSpan[] }[] }[];
        };
        for (const resource of payload.resourceSpans) {
          for (const scope of resource.scopeSpans) this.spans.push(...scope.spans);
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The trace's spans once there are some (and, with `until`, once one of them matches). */
  async spansOf(
    traceId: string,
    timeoutMs = 15_000,
    until: (span: ReceivedSpan) => boolean = () => true,
  ): Promise<ReceivedSpan[]> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = this.spans.filter((span) => span.traceId === traceId);
      if (found.some(until)) return found;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(
      `no span of trace ${traceId} within ${timeoutMs} ms; received: ${JSON.stringify(this.paths)}`,
    );
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * The built app exporting its spans to a local receiver: started before the enclosing block's
 * tests (with `env` on top), killed after them.
 */
function tracedApp(env: () => Promise<Record<string, string>> = async () => ({})) {
  const traced = { receiver: new OtlpReceiver(), app: undefined as unknown as BuiltApp };
  beforeAll(async () => {
    const endpoint = await traced.receiver.start();
    traced.app = await startBuiltApp({
      ...(await env()),
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_SERVICE_NAME: 'taskflow-test',
      // Export within 100 ms instead of the default 5 s.
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
  }, 240_000);
  afterAll(async () => {
    traced.app?.kill();
    await traced.receiver.stop();
  });
  return traced;
}

describe('tracing (the built app with OTEL_EXPORTER_OTLP_ENDPOINT set)', () => {
  const traced = tracedApp();

  it('continues the trace of an incoming traceparent and puts its id in the log line', async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');
    const res = await fetch(`${traced.app.url}/me`, {
      headers: {
        traceparent: `00-${traceId}-${callerSpanId}-01`,
        'x-user-id': 'u_alice',
        'x-request-id': 'traced-request',
      },
    });
    expect(res.status).toBe(200);

    const spans = await traced.receiver.spansOf(traceId);
    // The server span is the caller's child; the framework's spans hang below it.
    const serverSpan = spans.find((span) => span.parentSpanId === callerSpanId);
    expect(serverSpan).toMatchObject({ traceId, name: 'GET /me' });
    expect(spans.some((span) => span.parentSpanId === serverSpan?.spanId)).toBe(true);

    const line = traced.app
      .logLines()
      .find((l) => l.request_id === 'traced-request' && 'status' in l);
    expect(line).toMatchObject({ trace_id: traceId, route: '/me', status: 200 });
  });

  it('names an API key by its id in the trace, never the key', async () => {
    const { access_token } = (await (
      await fetch(`${traced.app.url}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'u_alice', password: 'taskflow-dev-password' }),
      })
    ).json()) as { access_token: string };
    const created = (await (
      await fetch(`${traced.app.url}/api-keys`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${access_token}` },
        body: JSON.stringify({ name: 'traced', scopes: ['tasks:read'], expires_in_days: 1 }),
      })
    ).json()) as { id: string; key: string };
    const traceId = randomBytes(16).toString('hex');
    const res = await fetch(`${traced.app.url}/tasks`, {
      headers: {
        traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
        authorization: `Bearer ${created.key}`,
      },
    });
    expect(res.status).toBe(200);

    const attribute = (span: ReceivedSpan, key: string) =>
      span.attributes?.find((a) => a.key === key)?.value.stringValue;
    const spans = await traced.receiver.spansOf(traceId, 15_000, (span) =>
      Boolean(attribute(span, 'taskflow.via')),
    );
    const tagged = spans.filter((span) => attribute(span, 'taskflow.via'));
    expect(
      tagged.map((span) => [attribute(span, 'taskflow.via'), attribute(span, 'enduser.id')]),
    ).toEqual([[`api_key:${created.id}`, 'u_alice']]);
    expect(JSON.stringify(spans)).not.toContain(created.key.slice(-43));
  });

  it('leaves probes out of the traces', async () => {
    const traceId = randomBytes(16).toString('hex');
    await fetch(`${traced.app.url}/readyz`, {
      headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
    });
    await expect(traced.receiver.spansOf(traceId, 1_500)).rejects.toThrow('no span');
  });

  it('flushes and exits 0 on SIGTERM', async () => {
    traced.app.child.kill('SIGTERM');
    expect(await traced.app.exited).toEqual({ code: 0, signal: null });
  });
});

// The bundle (dist/bundle/main.js) leaves mongoose outside so that its instrumentation, which
// patches require('mongoose'), still sees it: this is the check. Mongo only (an empty
// describe.each throws, hence the loop).
for (const driver of TEST_DRIVERS.filter((name) => name === 'mongo')) {
  describe(`tracing on the ${driver} driver (the built app)`, () => {
    const traced = tracedApp(async () => {
      const uri = freshDatabaseUri('tracing');
      await migrateUp(uri);
      return { TASK_REPOSITORY_DRIVER: driver, MONGODB_URI: uri };
    });

    it('traces the database reads of a request below its server span', async () => {
      const traceId = randomBytes(16).toString('hex');
      const res = await fetch(`${traced.app.url}/me`, {
        headers: {
          traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
          'x-user-id': 'u_alice',
        },
      });
      expect(res.status).toBe(200);
      // The mongoose instrumentation names a span `<operation> <collection>`: the account read.
      const isAccountRead = (span: ReceivedSpan) => span.name === 'findOne accounts';
      const spans = await traced.receiver.spansOf(traceId, 15_000, isAccountRead);
      const server = spans.find((span) => span.name === 'GET /me');
      expect(server).toMatchObject({ traceId, name: 'GET /me' });
      // Below it: each account read has the server span among its ancestors.
      const byId = new Map(spans.map((span) => [span.spanId, span]));
      const ancestorsOf = (span: ReceivedSpan): string[] => {
        const ids: string[] = [];
        for (let up = byId.get(span.parentSpanId ?? ''); up; up = byId.get(up.parentSpanId ?? ''))
          ids.push(up.spanId);
        return ids;
      };
      const reads = spans.filter(isAccountRead);
      expect(reads.length).toBeGreaterThan(0);
      for (const read of reads) expect(ancestorsOf(read)).toContain(server?.spanId);
    });
  });
}
