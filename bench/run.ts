/**
 * The benchmark runner: `npm run bench` (see bench/README.md). Every figure is a ratio to a
 * baseline measured in the same run — this machine is shared and noisy — with each pair measured
 * alternately over several rounds and the medians reported. The app and every baseline run in
 * their own processes, so autocannon never shares an event loop with what it measures.
 *
 *   npm run bench                          # everything, about 10 minutes
 *   BENCH_QUICK=1 npm run bench            # a fast sanity run (short runs, small sizes)
 *   npm run bench -- throughput login      # only some sections (see SECTIONS)
 *   npm run bench -- login-timing          # login answer times per outcome (no user enumeration)
 */
import 'reflect-metadata';
import autocannon from 'autocannon';
import { ChildProcess, fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ChildMessage, ParentMessage } from './app-server';
import { migrateUp } from '../test/support/mongo';
import { startMongoServer } from '../test/support/mongo-server';
import { logCost } from './log-cost';
import { loginTiming } from './login-timing';
import { topFrames } from './profile-top';
import { SEED_ACTOR } from './seed';
import { median } from './stats';

const QUICK = process.env.BENCH_QUICK === '1';
const num = (name: string, full: number, quick: number): number =>
  Number(process.env[name] ?? (QUICK ? quick : full));
const DURATION = num('BENCH_DURATION', 5, 1);
const WARMUP = num('BENCH_WARMUP', 3, 1);
const ROUNDS = num('BENCH_ROUNDS', 5, 2);
const CONNECTIONS = num('BENCH_CONNECTIONS', 10, 10);
const SMALL = num('BENCH_SCALE_SMALL', 10_000, 10_000);
const LARGE = num('BENCH_SCALE_LARGE', 1_000_000, 100_000);
const FERRET_SMALL = num('BENCH_FERRET_SMALL', 1_000, 1_000);
const FERRET_LARGE = num('BENCH_FERRET_LARGE', 100_000, 5_000);
const BCRYPT_COST = num('BCRYPT_COST', 10, 10);
const PASSWORD = 'taskflow-dev-password';
const ROOT = path.resolve(__dirname, '..');
/** What production starts: the bundle of dist/apps/api (scripts/bundle.mjs). */
const DIST_MAIN = path.join(ROOT, 'dist/bundle/main.js');
const SECTIONS = [
  'throughput',
  'login',
  'scale',
  'startup',
  'mongo',
  'profile',
  'logging',
  'login-timing',
] as const;
type Section = (typeof SECTIONS)[number];

/** What the app runs with during the benchmarks; LOG_LEVEL=warn keeps request lines out. */
const APP_ENV: Record<string, string> = {
  NODE_ENV: 'development',
  DEV_MODE: 'true',
  JWT_SECRET: randomBytes(32).toString('base64url'),
  ACCESS_TOKEN_TTL: '7200',
  BCRYPT_COST: String(BCRYPT_COST),
  RATE_LIMIT_GLOBAL: '1000000000/60s',
  RATE_LIMIT_AUTH: '1000000000/60s',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  TASK_REPOSITORY_DRIVER: 'memory',
};

interface Measure {
  rps: number;
  p50: number;
  p99: number;
}
interface Row extends Measure {
  name: string;
  baseline?: string;
  ratio?: number;
  target?: string;
  holds?: boolean;
  note?: string;
}
const rows: Row[] = [];
const notes: Record<string, unknown> = {};
const children = new Set<ChildProcess>();

// ---------------------------------------------------------------- processes

interface Server {
  url: string;
  child: ChildProcess;
  info: Extract<ChildMessage, { type: 'listening' }> | { port: number };
}

function forkTs(
  script: string,
  env: Record<string, string>,
  nodeArgs: string[] = [],
): ChildProcess {
  const child = fork(path.join(__dirname, script), [], {
    env: { ...process.env, ...env },
    execArgv: ['-r', '@swc-node/register', ...nodeArgs],
    // BENCH_STDOUT=ignore: the child's log lines go to /dev/null (still written, one per request).
    stdio: ['ignore', env.BENCH_STDOUT === 'ignore' ? 'ignore' : 'inherit', 'inherit', 'ipc'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

function startServer(
  script: string,
  env: Record<string, string>,
  nodeArgs?: string[],
): Promise<Server> {
  const child = forkTs(script, env, nodeArgs);
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    child.on('message', (message: ChildMessage | { type: 'listening'; port: number }) => {
      if (message.type === 'listening') {
        resolve({ url: `http://127.0.0.1:${message.port}`, child, info: message });
      }
    });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}

const startApp = (env: Record<string, string> = {}, nodeArgs?: string[]) =>
  startServer('app-server.ts', { ...APP_ENV, ...env }, nodeArgs);

function ask(child: ChildProcess, message: ParentMessage): Promise<ChildMessage> {
  return new Promise((resolve) => {
    child.once('message', resolve);
    child.send(message);
  });
}

// ---------------------------------------------------------------- HTTP set-up

async function call(
  url: string,
  method: string,
  route: string,
  token: string | null,
  body?: object,
): Promise<Record<string, unknown>> {
  const res = await fetch(url + route, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${text}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

async function login(url: string, id: string): Promise<string> {
  const tokens = await call(url, 'POST', '/auth/login', null, { id, password: PASSWORD });
  return tokens.access_token as string;
}

interface Actors {
  alice: string;
  bob: string;
}

/** A task created by alice (its reviewer) and assigned to bob. */
async function anAssignedTask(url: string, actors: Actors): Promise<string> {
  const task = await call(url, 'POST', '/tasks', actors.alice, { title: 'Benchmark the API' });
  await call(url, 'POST', `/tasks/${task.id as string}/assign`, actors.alice, {
    assignee_id: SEED_ACTOR,
  });
  return task.id as string;
}

/**
 * What the GET pairs share: alice and bob logged in, a task assigned to bob, bob's GET of it as
 * an autocannon load, and its body written to a file for the baseline that answers the same bytes.
 */
async function getTaskFixture(url: string, driver: string) {
  const actors = { alice: await login(url, 'u_alice'), bob: await login(url, 'u_bob') };
  const taskId = await anAssignedTask(url, actors);
  const getTask = { path: `/tasks/${taskId}`, headers: { authorization: `Bearer ${actors.bob}` } };
  const body = await (await fetch(`${url}/tasks/${taskId}`, getTask)).text();
  const bodyFile = path.join(os.tmpdir(), `taskflow-bench-${driver}-body-${process.pid}.json`);
  writeFileSync(bodyFile, body);
  return { actors, taskId, getTask, body, bodyFile };
}

// ---------------------------------------------------------------- load

/** autocannon's options, with a `path` on the server under test. */
type LoadOptions = Partial<autocannon.Options> & { path?: string };
type Load = (() => Promise<LoadOptions>) | LoadOptions;

async function fire(
  url: string,
  load: Load,
  seconds: number,
  extra: Partial<autocannon.Options> = {},
) {
  const { path: route = '', ...options } = typeof load === 'function' ? await load() : load;
  const result = await autocannon({
    url: url + route,
    connections: CONNECTIONS,
    duration: seconds,
    ...options,
    ...extra,
  } as autocannon.Options);
  const failed = result.non2xx + result.errors + result.timeouts;
  if (failed > 0) {
    throw new Error(
      `run voided: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts ` +
        `against ${url} (${JSON.stringify(result.statusCodeStats)})`,
    );
  }
  return {
    rps: result.requests.total / (result.duration || seconds),
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
}

interface Contender {
  name: string;
  url: string;
  load: Load;
}

/** Warm-up, then the contenders in alternating order over ROUNDS rounds; medians. */
async function measureAlternately(contenders: Contender[]): Promise<Map<string, Measure>> {
  for (const c of contenders) await fire(c.url, c.load, WARMUP);
  const samples = new Map<string, Measure[]>(contenders.map((c) => [c.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 ? [...contenders].reverse() : contenders;
    for (const c of order) samples.get(c.name)?.push(await fire(c.url, c.load, DURATION));
  }
  return new Map(
    [...samples].map(([name, values]) => [
      name,
      {
        rps: median(values.map((v) => v.rps)),
        p50: median(values.map((v) => v.p50)),
        p99: median(values.map((v) => v.p99)),
      },
    ]),
  );
}

function addRow(
  name: string,
  measure: Measure,
  baseline?: { name: string; measure: Measure },
  target?: { min: number; label?: string },
): Row {
  const ratio = baseline ? measure.rps / baseline.measure.rps : undefined;
  const row: Row = {
    name,
    ...measure,
    baseline: baseline?.name,
    ratio,
    target: target ? (target.label ?? `≥ ${Math.round(target.min * 100)}%`) : undefined,
    holds: target && ratio !== undefined ? ratio >= target.min : undefined,
  };
  rows.push(row);
  console.log(`  ${name}: ${row.rps.toFixed(0)} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms`);
  return row;
}

// ---------------------------------------------------------------- sections

async function throughput(): Promise<void> {
  const app = await startApp({ BENCH_SEED_TASKS: String(SMALL) });
  try {
    const { actors, taskId, getTask, body, bodyFile } = await getTaskFixture(app.url, 'memory');
    const ceiling = await startServer('baseline-server.ts', { BENCH_BODY_FILE: bodyFile });
    const nest = await startServer('nest-floor-server.ts', { BENCH_BODY_FILE: bodyFile });
    // The same app as production logs: one request line per request (to /dev/null here).
    const logging = await startApp({ LOG_LEVEL: 'info', BENCH_STDOUT: 'ignore' });
    try {
      const loggedGet = await getTaskFixture(logging.url, 'memory-info');
      const list = {
        path: `/tasks?assignee_id=${SEED_ACTOR}&limit=50`,
        headers: { authorization: `Bearer ${actors.bob}` },
      };
      const results = await measureAlternately([
        { name: 'ceiling', url: ceiling.url, load: { path: `/tasks/${taskId}` } },
        { name: 'nest', url: nest.url, load: { path: `/tasks/${taskId}` } },
        { name: 'get', url: app.url, load: getTask },
        { name: 'get-info', url: logging.url, load: loggedGet.getTask },
        { name: 'transition', url: app.url, load: () => transitionLoop(app.url, actors) },
        { name: 'list', url: app.url, load: list },
      ]);
      const base = { name: '(1) ceiling', measure: results.get('ceiling') as Measure };
      addRow(`(1) ceiling: bare Fastify, ${body.length} B task JSON`, base.measure);
      const floor = results.get('nest') as Measure;
      addRow('(1n) framework floor: bare Nest on Fastify, same JSON', floor, base);
      const get = results.get('get') as Measure;
      const row = addRow('(2) GET /tasks/:id, JWT, memory', get, base, { min: 0.5 });
      notes.getOverFloor = get.rps / floor.rps;
      // Latency under a steady load at half the maximum rate, the way a real service runs.
      const half = await fire(app.url, getTask, DURATION * 2, {
        overallRate: Math.max(1, Math.floor(get.rps / 2)),
      });
      row.note = `p99 ${half.p99} ms at ${Math.floor(get.rps / 2)} req/s (target ≤ 5 ms)`;
      notes.getAtHalfRate = { rate: Math.floor(get.rps / 2), ...half, holds: half.p99 <= 5 };
      addRow(
        '(2i) the same GET at LOG_LEVEL=info (request lines written)',
        results.get('get-info') as Measure,
        base,
      );
      addRow(
        '(3) transition loop, Idempotency-Key, memory',
        results.get('transition') as Measure,
        base,
        { min: 0.3 },
      );
      addRow(
        `(4) GET /tasks?assignee_id&limit=50, memory, ${SMALL} tasks`,
        results.get('list') as Measure,
        base,
      );
    } finally {
      await stop(ceiling.child);
      await stop(nest.child);
      await stop(logging.child);
    }
  } finally {
    await stop(app.child);
  }
}

/**
 * start → submit → reject → start … : each connection takes a ready task from a pool for one
 * cycle and returns it after the rejection (fresh tasks each run, so a run cut off mid-cycle
 * leaves nothing behind); every request carries its own Idempotency-Key.
 */
async function transitionLoop(url: string, actors: Actors): Promise<LoadOptions> {
  const ready = await Promise.all(
    Array.from({ length: CONNECTIONS * 2 }, () => anAssignedTask(url, actors)),
  );
  const run = randomBytes(6).toString('hex');
  let key = 0;
  const step = (action: string, token: string, body: string, first = false) => ({
    method: 'POST' as const,
    setupRequest: (request: autocannon.Request, connection: object) => {
      const context = connection as { task?: string };
      if (first) {
        context.task = ready.shift();
        if (context.task === undefined) throw new Error('transition pool empty');
      }
      return {
        ...request,
        path: `/tasks/${context.task}/${action}`,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'idempotency-key': `${run}-${key++}`,
        },
        body,
      };
    },
  });
  return {
    requests: [
      step('start', actors.bob, '{}', true),
      step('submit', actors.bob, '{"comment":"Done"}'),
      {
        ...step('reject', actors.alice, '{"reason":"Once more"}'),
        onResponse: (_status: number, _body: string, connection: object) => {
          ready.push((connection as { task: string }).task);
        },
      },
    ],
  };
}

async function loginSection(): Promise<void> {
  const app = await startApp();
  try {
    const loginLoad = {
      method: 'POST' as const,
      path: '/auth/login',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'u_alice', password: PASSWORD }),
    };
    const samples = { login: [] as Measure[], bcrypt: [] as Measure[] };
    const bare = async (): Promise<Measure> => {
      const child = forkTs('bcrypt-loop.ts', {
        BCRYPT_COST: String(BCRYPT_COST),
        BENCH_CONNECTIONS: String(CONNECTIONS),
        BENCH_DURATION: String(DURATION),
      });
      return new Promise((resolve, reject) => {
        child.once('exit', (code) => code !== 0 && reject(new Error(`bcrypt loop: ${code}`)));
        child.once('message', (m: Measure) => resolve(m));
      });
    };
    await fire(app.url, loginLoad, WARMUP);
    for (let round = 0; round < ROUNDS; round++) {
      const first = round % 2 === 0;
      if (first) samples.bcrypt.push(await bare());
      samples.login.push(await fire(app.url, loginLoad, DURATION));
      if (!first) samples.bcrypt.push(await bare());
    }
    const med = (values: Measure[]): Measure => ({
      rps: median(values.map((v) => v.rps)),
      p50: median(values.map((v) => v.p50)),
      p99: median(values.map((v) => v.p99)),
    });
    const baseline = { name: 'bare bcrypt.compare', measure: med(samples.bcrypt) };
    addRow(`(5b) bare bcrypt.compare loop, cost ${BCRYPT_COST}`, baseline.measure);
    addRow(`(5) POST /auth/login, cost ${BCRYPT_COST}`, med(samples.login), baseline, { min: 0.9 });
  } finally {
    await stop(app.child);
  }
}

async function scale(): Promise<void> {
  const apps = await Promise.all([
    startApp({ BENCH_SEED_TASKS: String(SMALL) }, ['--expose-gc']),
    startApp({ BENCH_SEED_TASKS: String(LARGE) }, ['--expose-gc', '--max-old-space-size=4096']),
  ]);
  try {
    const [small, large] = apps;
    const contenders: Contender[] = [];
    for (const [label, app] of [
      ['small', small],
      ['large', large],
    ] as const) {
      const actors = { alice: await login(app.url, 'u_alice'), bob: await login(app.url, 'u_bob') };
      contenders.push(
        {
          name: `list-${label}`,
          url: app.url,
          load: {
            path: `/tasks?assignee_id=${SEED_ACTOR}&limit=50`,
            headers: { authorization: `Bearer ${actors.bob}` },
          },
        },
        { name: `transition-${label}`, url: app.url, load: () => transitionLoop(app.url, actors) },
      );
    }
    const results = await measureAlternately(contenders);
    for (const kind of ['list', 'transition']) {
      const s = results.get(`${kind}-small`) as Measure;
      const l = results.get(`${kind}-large`) as Measure;
      const what = kind === 'list' ? 'GET /tasks?assignee_id&limit=50' : 'transition loop';
      const baseline = { name: `${SMALL} tasks`, measure: s };
      addRow(`scale: ${what}, ${SMALL} tasks`, s);
      // Time per request at the large size over the small one: ≤ 1.5 means rps ratio ≥ 1/1.5.
      addRow(`scale: ${what}, ${LARGE} tasks`, l, baseline, { min: 1 / 1.5, label: 'cost ≤ 1.5×' });
    }
    const heap = (server: Server) => (server.info as { heapUsed: number }).heapUsed;
    notes.memory = {
      heapSmallMB: heap(small) / 2 ** 20,
      heapLargeMB: heap(large) / 2 ** 20,
      bytesPerTask: (heap(large) - heap(small)) / (LARGE - SMALL),
      seedLargeMs: (large.info as { seedMs: number }).seedMs,
    };
  } finally {
    await Promise.all(apps.map((app) => stop(app.child)));
  }
}

/** The real entry point (the bundle): process start to /readyz 200, then RSS when idle. */
async function startup(): Promise<void> {
  const runs: { readyMs: number; rssMB: number }[] = [];
  for (let i = 0; i < Math.max(3, ROUNDS); i++) {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const started = performance.now();
    const child = spawn(process.execPath, [DIST_MAIN], {
      env: { ...process.env, ...APP_ENV, PORT: String(port), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.add(child);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      for (;;) {
        if (child.exitCode !== null) {
          // A random port can be taken by a neighbour's server: try again on another.
          if (/EADDRINUSE/.test(stderr)) break;
          throw new Error(`main.js exited with ${child.exitCode}: ${stderr}`);
        }
        const ok = await fetch(`http://127.0.0.1:${port}/readyz`)
          .then((res) => res.status === 200)
          .catch(() => false);
        if (ok) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      if (child.exitCode !== null) continue;
      const readyMs = performance.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const rssKB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
      runs.push({ readyMs, rssMB: rssKB / 1024 });
    } finally {
      await stop(child);
      children.delete(child);
    }
  }
  const readyMs = median(runs.map((r) => r.readyMs));
  const rssMB = median(runs.map((r) => r.rssMB));
  notes.startup = { readyMs, rssMB, runs, holds: readyMs <= 1500 && rssMB <= 150 };
}

async function mongo(): Promise<void> {
  // Test support, not the app: it starts MONGODB_URI's server, a mongod or FerretDB.
  const server = await startMongoServer({ dbName: 'taskflow_bench' });
  const database = (name: string) => server.uri.replace(/\/([^/?]+)(\?|$)/, `/${name}$2`);
  const mongoApp = async (name: string, seed: number) => {
    const uri = database(name);
    await migrateUp(uri);
    const app = await startApp({
      TASK_REPOSITORY_DRIVER: 'mongo',
      MONGODB_URI: uri,
      BENCH_SEED_TASKS: String(seed),
    });
    return { app, uri };
  };
  try {
    const { app, uri } = await mongoApp(`bench_${randomBytes(3).toString('hex')}`, 0);
    try {
      const { actors, taskId, getTask, bodyFile } = await getTaskFixture(app.url, 'mongo');

      notes.commandsPerRequest = await commandCounts(app, actors, taskId);

      const base = await startServer('baseline-server.ts', {
        BENCH_BODY_FILE: bodyFile,
        BENCH_MONGO_URI: uri,
        BENCH_TASK_ID: taskId,
        BENCH_ACCOUNT_ID: SEED_ACTOR,
      });
      try {
        const results = await measureAlternately([
          { name: 'db', url: base.url, load: { path: `/tasks/${taskId}` } },
          { name: 'get', url: app.url, load: getTask },
        ]);
        const baseline = { name: 'bare Fastify + mongoose', measure: results.get('db') as Measure };
        addRow('(6b) bare Fastify route, same 3 commands via mongoose', baseline.measure);
        addRow(
          `(6) GET /tasks/:id, JWT, mongo (${server.kind})`,
          results.get('get') as Measure,
          baseline,
          {
            min: 0.7,
          },
        );
      } finally {
        await stop(base.child);
      }
    } finally {
      await stop(app.child);
    }

    // For information only: FerretDB's clock says nothing about MongoDB (DESIGN §2).
    const info: Record<string, number | string> = {};
    for (const size of [FERRET_SMALL, FERRET_LARGE]) {
      const { app: sized } = await mongoApp(
        `bench_${size}_${randomBytes(3).toString('hex')}`,
        size,
      );
      const label = `list ${size} tasks, ms per request (median of 3, one at a time)`;
      try {
        const bob = await login(sized.url, 'u_bob');
        // One request at a time: at 100 thousand tasks a FerretDB listing can take longer than
        // a whole timed run, which would then report nothing at all.
        const times: number[] = [];
        for (let i = 0; i < 3; i++) {
          const started = performance.now();
          await call(sized.url, 'GET', `/tasks?assignee_id=${SEED_ACTOR}&limit=50`, bob);
          times.push(performance.now() - started);
        }
        info[label] = median(times);
        console.log(
          `  FerretDB, ${size} tasks: listing ${median(times).toFixed(0)} ms per request`,
        );
      } catch (error) {
        // Information only: a listing that outlasts the driver's socket timeout (503) is a
        // figure too, not a reason to lose the rest of the section.
        info[label] = `no answer: ${String(error).slice(0, 200)}`;
        console.log(`  FerretDB, ${size} tasks: ${String(info[label])}`);
      } finally {
        await stop(sized.child);
      }
    }
    notes.mongoScale = { server: server.kind, ...info };
  } finally {
    await server.stop();
  }
}

/** Commands per request, counted by command monitoring inside the app process. */
async function commandCounts(app: Server, actors: Actors, taskId: string) {
  const count = async (work: () => Promise<unknown>) => {
    await ask(app.child, { type: 'commands-reset' });
    await work();
    const reply = await ask(app.child, { type: 'commands' });
    return reply.type === 'commands' ? reply.commands : [];
  };
  const other = await anAssignedTask(app.url, actors);
  return {
    'GET /tasks/:id': await count(() => call(app.url, 'GET', `/tasks/${taskId}`, actors.bob)),
    'POST /tasks/:id/start (Idempotency-Key)': await count(() =>
      fetch(`${app.url}/tasks/${other}/start`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${actors.bob}`,
          'content-type': 'application/json',
          'idempotency-key': randomBytes(8).toString('hex'),
        },
        body: '{}',
      }).then((res) => {
        if (!res.ok) throw new Error(`start: ${res.status}`);
      }),
    ),
    'GET /tasks?assignee_id&limit=50': await count(() =>
      call(app.url, 'GET', `/tasks?assignee_id=${SEED_ACTOR}&limit=50`, actors.bob),
    ),
    'POST /auth/login': await count(() =>
      call(app.url, 'POST', '/auth/login', null, { id: 'u_bob', password: PASSWORD }),
    ),
  };
}

/** CPU profiles of the app under each memory-driver load (after warm-up); top frames printed. */
async function profile(): Promise<void> {
  const dir = path.join(__dirname, 'results/profiles');
  mkdirSync(dir, { recursive: true });
  const loads: Record<string, (url: string, actors: Actors) => Promise<LoadOptions>> = {
    get: async (url, actors) => ({
      path: `/tasks/${await anAssignedTask(url, actors)}`,
      headers: { authorization: `Bearer ${actors.bob}` },
    }),
    transition: transitionLoop,
    list: async (_url, actors) => ({
      path: `/tasks?assignee_id=${SEED_ACTOR}&limit=50`,
      headers: { authorization: `Bearer ${actors.bob}` },
    }),
  };
  const profiles: Record<string, string> = {};
  for (const [name, load] of Object.entries(loads)) {
    profiles[name] = path.join(dir, `${name}-${Date.now()}.cpuprofile`);
    const app = await startApp({ BENCH_SEED_TASKS: String(SMALL) });
    try {
      const actors = { alice: await login(app.url, 'u_alice'), bob: await login(app.url, 'u_bob') };
      const options = await load(app.url, actors);
      await fire(app.url, options, WARMUP);
      await ask(app.child, { type: 'profile-start' });
      await fire(app.url, options, DURATION * 2);
      await ask(app.child, { type: 'profile-stop', file: profiles[name] });
    } finally {
      await stop(app.child);
    }
    console.log(`profile of ${name}: ${profiles[name]}\n${topFrames(profiles[name], 15)}`);
  }
  notes.profiles = profiles;
}

// ---------------------------------------------------------------- output

/** Per-request logging cost, in-process (bench/log-cost.ts); ratios to pino without redaction. */
async function logging(): Promise<void> {
  const costs = await logCost();
  const base = costs[0];
  notes.logCost = costs.map((c) => ({
    ...c,
    lineOverBase: c.lineNs / base.lineNs,
    childOverBase: c.childNs / base.childNs,
  }));
  for (const c of costs)
    console.log(
      `  ${c.variant}: request line ${(c.lineNs / 1000).toFixed(1)} µs ` +
        `(${(c.lineNs / base.lineNs).toFixed(1)}×), child logger ${(c.childNs / 1000).toFixed(1)} µs ` +
        `(${(c.childNs / base.childNs).toFixed(1)}×)`,
    );
}

function print(): void {
  const fmt = (n: number | undefined, digits = 0) => (n === undefined ? '' : n.toFixed(digits));
  const header = ['benchmark', 'req/s', 'p50 ms', 'p99 ms', 'ratio', 'target', 'holds'];
  const table = rows.map((r) => [
    r.name,
    fmt(r.rps),
    fmt(r.p50, 1),
    fmt(r.p99, 1),
    r.ratio === undefined ? '' : `${(r.ratio * 100).toFixed(0)}%`,
    r.target ?? '',
    r.holds === undefined ? '' : r.holds ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  console.log(
    `\n${line(header)}\n|${widths.map((w, i) => (i ? '-'.repeat(w + 1) + ':' : '-'.repeat(w + 2))).join('|')}|`,
  );
  for (const row of table) console.log(line(row));
  for (const row of rows) if (row.note) console.log(`  ${row.name}: ${row.note}`);
  console.log(`\n${JSON.stringify(notes, null, 2)}`);
}

async function main(): Promise<void> {
  const asked = process.argv.slice(2) as Section[];
  const unknown = asked.filter((s) => !SECTIONS.includes(s));
  if (unknown.length)
    throw new Error(`unknown section(s) ${unknown.join(', ')}; known: ${SECTIONS.join(', ')}`);
  if (asked.length === 1 && asked[0] === 'login-timing') return loginTiming();
  const sections = asked.length ? asked : SECTIONS.filter((s) => s !== 'login-timing');
  if (!existsSync(DIST_MAIN)) throw new Error('dist/ is missing: run `npm run build` first');

  const machine = {
    cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}`,
    memoryGB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    loadavg: os.loadavg(),
  };
  const settings = { QUICK, DURATION, WARMUP, ROUNDS, CONNECTIONS, SMALL, LARGE, BCRYPT_COST };
  console.log(JSON.stringify({ machine, settings }));
  const sectionRuns: Record<Exclude<Section, 'login-timing'>, () => Promise<void>> = {
    throughput,
    login: loginSection,
    scale,
    startup,
    mongo,
    profile,
    logging,
  };
  const failures: Record<string, string> = {};
  for (const section of sections) {
    if (section === 'login-timing') continue;
    console.log(`… ${section}`);
    // One failing section (a voided run, a missing server) still leaves the others' figures.
    await sectionRuns[section]().catch((error: unknown) => {
      console.error(error);
      failures[section] = String(error);
      process.exitCode = 1;
    });
  }
  if (Object.keys(failures).length) notes.failures = failures;
  print();
  const dir = path.join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const json = JSON.stringify(
    { at: new Date().toISOString(), machine, settings, rows, notes },
    null,
    2,
  );
  writeFileSync(path.join(dir, `bench-${Date.now()}.json`), json);
  writeFileSync(path.join(dir, 'latest.json'), json);
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const child of children) child.kill('SIGKILL');
  });
