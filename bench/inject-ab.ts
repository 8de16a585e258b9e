/**
 * Paired A/B of two builds of the API in one process (bench/README.md, "Issue 17, second pass"):
 * both tsc outputs are loaded side by side, requests are injected through the whole app
 * (`app.inject`: every hook, guard, pipe and serializer, no socket and no HTTP parser), and
 * batches alternate between the two, so the machine's load falls on both alike. Prints the CPU
 * time per request of each (`process.cpuUsage()`), and the median and interquartile range of the
 * per-pair ratios.
 *
 *   npm run build && cp -r dist bench/results/before   # … then change, build, and:
 *   A=$PWD/bench/results/before/apps/api B=$PWD/dist/apps/api LOAD=get|transition \
 *     [LOG_LEVEL=info] [TRANSPORT=http] npm exec -- node -r @swc-node/register bench/inject-ab.ts
 *
 * (The builds must sit inside the checkout, so that their requires find node_modules.)
 * TRANSPORT=http serves each app on a loopback port instead and sends the requests through
 * node:http with 10 keep-alive sockets: Node's HTTP parser and response head are then measured
 * too (header handling differs under injection), and the client's share, the same for both,
 * makes the ratio smaller than the servers' own.
 */
import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import type { createApp as CreateApp } from '../apps/api/src/bootstrap';
import type { loadConfig as LoadConfig } from '../libs/platform/src';
import { PASSWORD } from './harness';
import { SEED_ACTOR } from './seed';
import { median } from './stats';

Object.assign(process.env, {
  NODE_ENV: 'development',
  DEV_MODE: 'true',
  JWT_SECRET: randomBytes(32).toString('base64url'),
  ACCESS_TOKEN_TTL: '7200',
  BCRYPT_COST: '4',
  RATE_LIMIT_GLOBAL: '1000000000/60s',
  RATE_LIMIT_AUTH: '1000000000/60s',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  TASK_REPOSITORY_DRIVER: 'memory',
});
const LOAD = process.env.LOAD ?? 'get';
const BATCH = Number(process.env.BATCH ?? 1500);
const ROUNDS = Number(process.env.ROUNDS ?? 20);
const CONNECTIONS = 10;
const HTTP = process.env.TRANSPORT === 'http';

/** One build's app and a function that serves `n` requests of the load, 10 at a time. */
async function setUp(dist: string): Promise<(n: number) => Promise<void>> {
  const { createApp } = (await import(`${dist}/apps/api/src/bootstrap.js`)) as {
    createApp: typeof CreateApp;
  };
  const { loadConfig } = (await import(`${dist}/libs/platform/src/index.js`)) as {
    loadConfig: typeof LoadConfig;
  };
  const app: NestFastifyApplication = await createApp(loadConfig(process.env), {
    logger: false,
    logDestination: pino.destination({ dest: '/dev/null', sync: true }),
  });
  await app.init();
  const send = HTTP ? await overHttp(app) : overInject(app);
  const ask = async (
    method: 'GET' | 'POST',
    url: string,
    token: string | null,
    body?: object,
    headers: Record<string, string> = {},
  ): Promise<Record<string, unknown>> => {
    const payload = body ? JSON.stringify(body) : undefined;
    const res = await send(
      method,
      url,
      {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      payload,
    );
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.body ? (JSON.parse(res.body) as Record<string, unknown>) : {};
  };
  const login = async (id: string) =>
    (await ask('POST', '/auth/login', null, { id, password: PASSWORD })).access_token as string;
  const alice = await login('u_alice');
  const bob = await login('u_bob');
  const ids = await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      const task = await ask('POST', '/tasks', alice, { title: 'Benchmark the API' });
      await ask('POST', `/tasks/${task.id as string}/assign`, alice, { assignee_id: SEED_ACTOR });
      return task.id as string;
    }),
  );
  let key = 0;
  const keyed = () => ({ 'idempotency-key': `k-${key++}` });
  // A transition cycle is three requests: start, submit, reject (as bench/harness.ts loops).
  const perCycle = LOAD === 'transition' ? 3 : 1;
  const one = async (connection: number): Promise<void> => {
    const id = ids[connection];
    if (LOAD !== 'transition') {
      await ask('GET', `/tasks/${id}`, bob);
      return;
    }
    await ask('POST', `/tasks/${id}/start`, bob, {}, keyed());
    await ask('POST', `/tasks/${id}/submit`, bob, { comment: 'Done' }, keyed());
    await ask('POST', `/tasks/${id}/reject`, alice, { reason: 'Once more' }, keyed());
  };
  return async (n: number) => {
    let left = n / perCycle;
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async (_, connection) => {
        while (left-- > 0) await one(connection);
      }),
    );
  };
}

type Send = (
  method: string,
  url: string,
  headers: Record<string, string>,
  payload: string | undefined,
) => Promise<{ statusCode: number; body: string }>;

function overInject(app: NestFastifyApplication): Send {
  return async (method, url, headers, payload) => {
    const res = await app.inject({ method: method as 'GET', url, headers, payload });
    return { statusCode: res.statusCode, body: res.body };
  };
}

async function overHttp(app: NestFastifyApplication): Promise<Send> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.getHttpServer().address() as AddressInfo;
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  return (method, url, headers, payload) =>
    new Promise((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, method, path: url, headers, agent },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, body }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
}

/**
 * CPU time used: the main thread's alone with CPU=thread (Node 23.9+: V8's helper threads, whose
 * concurrent marking and sweeping land on whichever batch they overlap, left out), else the
 * whole process's.
 */
const usage: typeof process.cpuUsage =
  process.env.CPU === 'thread'
    ? (previous) =>
        (process as unknown as { threadCpuUsage: typeof process.cpuUsage }).threadCpuUsage(previous)
    : (previous) => process.cpuUsage(previous);

async function main(): Promise<void> {
  const a = await setUp(process.env.A as string);
  const b = await setUp(process.env.B as string);
  for (const serve of [a, b, a, b]) await serve(BATCH * 2);
  const cost = async (serve: (n: number) => Promise<void>): Promise<number> => {
    const before = usage();
    await serve(BATCH);
    const used = usage(before);
    return (used.user + used.system) / BATCH;
  };
  const costs = { a: [] as number[], b: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 ? (['b', 'a'] as const) : (['a', 'b'] as const);
    for (const which of order) costs[which].push(await cost(which === 'a' ? a : b));
  }
  const ratios = costs.a.map((x, i) => costs.b[i] / x).sort((x, y) => x - y);
  const quartile = (q: number) => ratios[Math.floor(q * (ratios.length - 1))].toFixed(3);
  console.log(
    `${LOAD} (LOG_LEVEL=${process.env.LOG_LEVEL}${HTTP ? ', over HTTP' : ''}): A ${median(costs.a).toFixed(1)} µs, ` +
      `B ${median(costs.b).toFixed(1)} µs CPU per request; B/A median ${median(ratios).toFixed(3)} ` +
      `(IQR ${quartile(0.25)}–${quartile(0.75)}, ${ROUNDS} pairs of ${BATCH})`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
