import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { startMongoServer } from '../../scripts/mongo-server';
import { call, login, migrateUp, notes, QUICK, startApp, stop } from '../harness';
import { median, percentile } from '../stats';

const LATENCY_EVENTS = QUICK ? 30 : 200;
const BACKLOG_EVENTS = { memory: QUICK ? 300 : 2000, mongo: QUICK ? 100 : 500 };

/**
 * Webhooks (issue 21), one fast receiver (204 at once) in the runner's process: latency from a
 * change's acknowledgement to its delivery, one change at a time on an idle app; then the
 * throughput of draining a backlog (the endpoint off while the events accrue, then on). Both
 * drivers; the Mongo one on the test server (FerretDB here: its timings say little of MongoDB).
 */
export async function webhooks(): Promise<void> {
  const memory = await measure('memory', {});
  const server = await startMongoServer({ dbName: 'taskflow_bench_webhooks' });
  try {
    await migrateUp(server.uri);
    const mongo = await measure('mongo', {
      TASK_REPOSITORY_DRIVER: 'mongo',
      MONGODB_URI: server.uri,
    });
    notes.webhooks = { memory, mongo: { server: server.kind, ...mongo } };
  } finally {
    await server.stop();
  }
  console.log(JSON.stringify({ webhooks: notes.webhooks }));
}

async function measure(
  driver: 'memory' | 'mongo',
  env: Record<string, string>,
): Promise<Record<string, unknown>> {
  const events = BACKLOG_EVENTS[driver];
  const arrived = new Map<string, number>();
  const waiters = new Map<string, () => void>();
  const receiver = createServer((req, res) => {
    const id = String(req.headers['webhook-id']);
    req.resume();
    req.on('end', () => {
      if (!arrived.has(id)) arrived.set(id, performance.now());
      waiters.get(id)?.();
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  const app = await startApp(env);
  try {
    const alice = await login(app.url, 'u_alice');
    const hook = await call(app.url, 'POST', '/webhooks', alice, { url });
    const arrival = (id: string) =>
      arrived.has(id)
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.set(id, resolve));

    const latencies: number[] = [];
    for (let i = 0; i < LATENCY_EVENTS; i++) {
      const task = await call(app.url, 'POST', '/tasks', alice, { title: `latency ${i}` });
      const acknowledged = performance.now();
      const id = `${task.id as string}:1`;
      await arrival(id);
      latencies.push((arrived.get(id) as number) - acknowledged);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }

    await call(app.url, 'PATCH', `/webhooks/${hook.id as string}`, alice, { enabled: false });
    const backlog: string[] = [];
    for (let i = 0; i < events; i += 10) {
      const made = await Promise.all(
        Array.from({ length: 10 }, (_, k) =>
          call(app.url, 'POST', '/tasks', alice, { title: `backlog ${i + k}` }),
        ),
      );
      backlog.push(...made.map((task) => `${task.id as string}:1`));
    }
    const started = performance.now();
    await call(app.url, 'PATCH', `/webhooks/${hook.id as string}`, alice, { enabled: true });
    await Promise.all(backlog.map(arrival));
    const seconds = (performance.now() - started) / 1000;

    return {
      latencyEvents: LATENCY_EVENTS,
      latencyMs: {
        p50: round(median(latencies)),
        p99: round(percentile(latencies, 99)),
        max: round(Math.max(...latencies)),
      },
      backlogEvents: events,
      drainSeconds: round(seconds),
      deliveriesPerSecond: Math.round(events / seconds),
    };
  } finally {
    await stop(app.child);
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  }
}

const round = (value: number) => Math.round(value * 10) / 10;
