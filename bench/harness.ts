/**
 * What every section of the benchmark runner (bench/run.ts) shares: the settings, the processes
 * (servers forked with IPC, the app configured as production runs it), the HTTP set-up calls,
 * autocannon's alternating measurement and the table. Nothing here imports test/: bench runs the
 * built app and the repository's own scripts only.
 */
import 'reflect-metadata';
import autocannon from 'autocannon';
import { ChildProcess, fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ChildMessage, ParentMessage } from './app-server';
import { SEED_ACTOR } from './seed';
import { median } from './stats';

export const QUICK = process.env.BENCH_QUICK === '1';
const num = (name: string, full: number, quick: number): number =>
  Number(process.env[name] ?? (QUICK ? quick : full));
export const DURATION = num('BENCH_DURATION', 5, 1);
export const WARMUP = num('BENCH_WARMUP', 3, 1);
export const ROUNDS = num('BENCH_ROUNDS', 5, 2);
export const CONNECTIONS = num('BENCH_CONNECTIONS', 10, 10);
export const SMALL = num('BENCH_SCALE_SMALL', 10_000, 10_000);
export const LARGE = num('BENCH_SCALE_LARGE', 1_000_000, 100_000);
export const FERRET_SMALL = num('BENCH_FERRET_SMALL', 1_000, 1_000);
export const FERRET_LARGE = num('BENCH_FERRET_LARGE', 100_000, 5_000);
export const BCRYPT_COST = num('BCRYPT_COST', 10, 10);
export const PASSWORD = 'taskflow-dev-password';
export const ROOT = path.resolve(__dirname, '..');
/** What production starts: the bundle of dist/apps/api (scripts/bundle.mjs). */
export const DIST_MAIN = path.join(ROOT, 'dist/bundle/main.js');
/** The app's own migrator, as `npm run migrate -- up` runs it before the API starts. */
const DIST_MIGRATE = path.join(ROOT, 'dist/apps/migrate/apps/migrate/src/main.js');

/** What the app runs with during the benchmarks; LOG_LEVEL=warn keeps request lines out. */
export const APP_ENV: Record<string, string> = {
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

export interface Measure {
  rps: number;
  p50: number;
  p99: number;
}
export interface Row extends Measure {
  name: string;
  baseline?: string;
  ratio?: number;
  /** Ratios to further baselines of the same run (the anchor's row to the ceiling, …). */
  also?: Record<string, number>;
  target?: string;
  holds?: boolean;
  note?: string;
}
export const rows: Row[] = [];
export const notes: Record<string, unknown> = {};
export const children = new Set<ChildProcess>();

// ---------------------------------------------------------------- processes

export interface Server {
  url: string;
  child: ChildProcess;
  info: Extract<ChildMessage, { type: 'listening' }> | { port: number };
  /** startEntry: from the spawn (of the attempt that got its port) to /readyz 200, ms. */
  readyMs?: number;
}

export function forkTs(
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

export function startServer(
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

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}

/**
 * The CPU time (user + system, every thread) a process has used so far, µs, from
 * /proc/<pid>/stat: clock ticks of 10 ms (USER_HZ 100). The fields are read after the command
 * name, which may hold spaces.
 */
export function cpuMicros(pid: number | undefined): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

export const startApp = (env: Record<string, string> = {}, nodeArgs?: string[]) =>
  startServer('app-server.ts', { ...APP_ENV, ...env }, nodeArgs);

/** `spawn(node …)` with fork's signature (no IPC channel). */
function spawnNode(
  main: string,
  args: string[],
  options: Parameters<typeof spawn>[2] & { execArgv: string[] },
): ChildProcess {
  const { execArgv, ...rest } = options;
  return spawn(process.execPath, [...execArgv, main, ...args], rest);
}

/**
 * A built entry point started as production starts it (`node dist/bundle/main.js`, PORT from the
 * environment), ready when /readyz answers 200. No IPC: what it serves is all that is measured.
 */
export async function startEntry(
  main: string,
  env: Record<string, string> = {},
  options: { nodeArgs?: string[]; profiled?: boolean } = {},
): Promise<Server> {
  const nodeArgs = [
    ...(options.nodeArgs ?? []),
    // An IPC channel and bench/profiler-preload.mjs: `ask(child, { type: 'profile-start' })`.
    ...(options.profiled ? ['--import', path.join(__dirname, 'profiler-preload.mjs')] : []),
  ];
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const spawned = performance.now();
    const child = (options.profiled ? fork : spawnNode)(main, [], {
      cwd: ROOT,
      env: { ...process.env, ...APP_ENV, ...env, PORT: String(port) },
      execArgv: nodeArgs,
      stdio: [
        'ignore',
        env.BENCH_STDOUT === 'ignore' ? 'ignore' : 'inherit',
        'pipe',
        ...(options.profiled ? (['ipc'] as const) : []),
      ],
    });
    children.add(child);
    child.on('exit', () => children.delete(child));
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    for (;;) {
      if (child.exitCode !== null) {
        // A random port can be taken by a neighbour's server: try again on another.
        if (/EADDRINUSE/.test(stderr)) break;
        throw new Error(`${main} exited with ${child.exitCode}: ${stderr}`);
      }
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`)
        .then((res) => res.status === 200)
        .catch(() => false);
      if (ok) {
        const readyMs = performance.now() - spawned;
        return { url: `http://127.0.0.1:${port}`, child, info: { port }, readyMs };
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

/** tsc's output of the API, unbundled (what bench/app-server.ts loads in-process). */
export const TSC_MAIN = path.join(ROOT, 'dist/apps/api/apps/api/src/main.js');

/**
 * The hand-written anchor (bench/anchor-server.ts): the app's GET and keyed transitions by hand
 * on bare Fastify, verifying the app's own tokens (same secret). `nest-anchor-server.ts` is the
 * same work as a Nest app (a global guard and a controller), on the same adapter.
 */
export const startAnchor = (
  env: Record<string, string> = {},
  script: 'anchor-server.ts' | 'nest-anchor-server.ts' = 'anchor-server.ts',
) =>
  startServer(script, {
    JWT_SECRET: APP_ENV.JWT_SECRET,
    LOG_LEVEL: APP_ENV.LOG_LEVEL,
    ...env,
  });

export function ask(child: ChildProcess, message: ParentMessage): Promise<ChildMessage> {
  return new Promise((resolve) => {
    child.once('message', resolve);
    child.send(message);
  });
}

/** Applies every migration to `uri` through the built migrator (dist/apps/migrate). */
export async function migrateUp(uri: string): Promise<void> {
  const child = spawn(process.execPath, [DIST_MIGRATE, 'up'], {
    cwd: ROOT,
    env: { ...process.env, MONGODB_URI: uri },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`migrate up exited with ${code}: ${output}`);
}

// ---------------------------------------------------------------- HTTP set-up

export async function call(
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

export async function login(url: string, id: string): Promise<string> {
  const tokens = await call(url, 'POST', '/auth/login', null, { id, password: PASSWORD });
  return tokens.access_token as string;
}

export interface Actors {
  alice: string;
  bob: string;
}

/** A task created by alice (its reviewer) and assigned to bob. */
export async function anAssignedTask(url: string, actors: Actors): Promise<string> {
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
export async function getTaskFixture(url: string, driver: string) {
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
export type LoadOptions = Partial<autocannon.Options> & { path?: string };
export type Load = (() => Promise<LoadOptions>) | LoadOptions;

export async function fire(
  url: string,
  load: Load,
  seconds: number,
  extra: Partial<autocannon.Options> = {},
): Promise<Measure> {
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

export interface Contender {
  name: string;
  url: string;
  load: Load;
}

export const medianMeasure = (values: Measure[]): Measure => ({
  rps: median(values.map((v) => v.rps)),
  p50: median(values.map((v) => v.p50)),
  p99: median(values.map((v) => v.p99)),
});

/** Warm-up, then the contenders in alternating order over ROUNDS rounds; medians. */
export async function measureAlternately(contenders: Contender[]): Promise<Map<string, Measure>> {
  for (const c of contenders) await fire(c.url, c.load, WARMUP);
  const samples = new Map<string, Measure[]>(contenders.map((c) => [c.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 ? [...contenders].reverse() : contenders;
    for (const c of order) samples.get(c.name)?.push(await fire(c.url, c.load, DURATION));
  }
  return new Map([...samples].map(([name, values]) => [name, medianMeasure(values)]));
}

/**
 * start → submit → reject → start … : each connection takes a ready task from a pool for one
 * cycle and returns it after the rejection (fresh tasks each run, so a run cut off mid-cycle
 * leaves nothing behind); every request carries its own Idempotency-Key. Works against the app
 * and the anchor alike (both create and assign tasks through the same routes).
 */
export async function transitionLoop(url: string, actors: Actors): Promise<LoadOptions> {
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

/**
 * POST /tasks/claim → POST /tasks/:id/release … : u_bob claims the next open task (no wait) and
 * releases it, each request with its own Idempotency-Key. Three open tasks per connection (u_alice
 * opens them, fresh each run), so a claim always finds one: every claim answers 200.
 */
export async function claimLoop(url: string, actors: Actors): Promise<LoadOptions> {
  for (let i = 0; i < CONNECTIONS * 3; i++) {
    await call(url, 'POST', '/tasks', actors.alice, { title: `Open task ${i}`, open: true });
  }
  const run = randomBytes(6).toString('hex');
  let key = 0;
  const headers = () => ({
    authorization: `Bearer ${actors.bob}`,
    'content-type': 'application/json',
    'idempotency-key': `${run}-${key++}`,
  });
  return {
    requests: [
      {
        method: 'POST',
        setupRequest: (request: autocannon.Request) => ({
          ...request,
          path: '/tasks/claim',
          headers: headers(),
          body: '{}',
        }),
        onResponse: (status: number, body: string, connection: object) => {
          if (status !== 200) throw new Error(`claim answered ${status}: ${body}`);
          (connection as { task?: string }).task = (JSON.parse(body) as { id: string }).id;
        },
      },
      {
        method: 'POST',
        setupRequest: (request: autocannon.Request, connection: object) => ({
          ...request,
          path: `/tasks/${(connection as { task: string }).task}/release`,
          headers: headers(),
          body: '{}',
        }),
      },
    ],
  };
}

// ---------------------------------------------------------------- table

export interface Baseline {
  name: string;
  measure: Measure;
}

export function addRow(
  name: string,
  measure: Measure,
  baseline?: Baseline,
  target?: { min: number; label?: string },
  also: Baseline[] = [],
): Row {
  const ratio = baseline ? measure.rps / baseline.measure.rps : undefined;
  const row: Row = {
    name,
    ...measure,
    baseline: baseline?.name,
    ratio,
    also: also.length
      ? Object.fromEntries(also.map((b) => [b.name, measure.rps / b.measure.rps]))
      : undefined,
    target: target ? (target.label ?? `≥ ${Math.round(target.min * 100)}%`) : undefined,
    holds: target && ratio !== undefined ? ratio >= target.min : undefined,
  };
  rows.push(row);
  console.log(`  ${name}: ${row.rps.toFixed(0)} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms`);
  return row;
}

const percent = (ratio: number | undefined) =>
  ratio === undefined ? '' : `${(ratio * 100).toFixed(0)}%`;

export function print(): void {
  const fmt = (n: number | undefined, digits = 0) => (n === undefined ? '' : n.toFixed(digits));
  const header = [
    'benchmark',
    'req/s',
    'p50 ms',
    'p99 ms',
    'of ceiling',
    'ratio',
    'to',
    'target',
    'holds',
  ];
  const table = rows.map((r) => {
    // "of ceiling" for rows measured against an anchor; "ratio … to" is the row's own baseline.
    const ceiling = r.baseline === '(1) ceiling' ? r.ratio : r.also?.['(1) ceiling'];
    return [
      r.name,
      fmt(r.rps),
      fmt(r.p50, 1),
      fmt(r.p99, 1),
      percent(ceiling),
      r.baseline === '(1) ceiling' ? '' : percent(r.ratio),
      r.baseline === '(1) ceiling' ? '' : (r.baseline ?? ''),
      r.target ?? '',
      r.holds === undefined ? '' : r.holds ? 'yes' : 'NO',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
  const left = new Set([0, 6]);
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (left.has(i) ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  console.log(
    `\n${line(header)}\n|${widths.map((w, i) => (left.has(i) ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|')}|`,
  );
  for (const row of table) console.log(line(row));
  for (const row of rows) {
    const also = Object.entries(row.also ?? {}).filter(([name]) => name !== '(1) ceiling');
    if (also.length) {
      console.log(
        `  ${row.name}: ${also.map(([name, r]) => `${percent(r)} of ${name}`).join(', ')}`,
      );
    }
    if (row.note) console.log(`  ${row.name}: ${row.note}`);
  }
  console.log(`\n${JSON.stringify(notes, null, 2)}`);
}
