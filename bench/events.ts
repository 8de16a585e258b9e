/**
 * Measurements for the event log (docs/EVENTS.md), standalone (not in run.ts):
 *
 * 1. Write throughput on FerretDB, 8 concurrent writers: the audit-entry claim without the event
 *    machinery (insert by unique `_id`, indexes of 0002 only) against the real
 *    `MongoAuditLogRepository` (stamp, in-flight set, the 0008 indexes) with its horizon ticking,
 *    on one instance and on two (two horizons and repositories on one collection).
 * 2. Cross-instance wake latency: an entry appended on instance A, until instance B's shared
 *    poll wakes its waiters with the entry readable.
 * 3. RSS of the built app (dist/bundle/main.js) before and after 1,000 idle
 *    `GET /events/stream` connections.
 *
 *   npm run build && npm exec -- node -r @swc-node/register bench/events.ts
 *   BENCH_EVENTS_PART=writes|wake|rss to run one part.
 */
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import mongoose from 'mongoose';
import { EventLogNotifier } from '../libs/audit/src/application/event-log-notifier';
import type { AuditEntry } from '../libs/audit/src/domain/audit-entry';
import { AuditEntrySchema } from '../libs/audit/src/infrastructure/mongo/audit.schema';
import { toAuditEntryDocument } from '../libs/audit/src/infrastructure/mongo/audit.mapping';
import { MongoAuditLogRepository } from '../libs/audit/src/infrastructure/mongo/mongo-audit-log.repository';
import { MongoEventHorizon } from '../libs/audit/src/infrastructure/mongo/mongo-event-horizon';
import { ConcurrencyConflict, isIndexStep } from '../libs/platform/src';
import { insertClaim, MongoUnitOfWork } from '../libs/platform/src/mongo';
import { MIGRATIONS } from '../migrations';
import { startMongoServer } from '../scripts/mongo-server';
import { freePort, MAIN_JS } from '../test/support/built-app';

const WRITES = Number(process.env.BENCH_EVENT_WRITES ?? 2000);
const WRITERS = Number(process.env.BENCH_EVENT_WRITERS ?? 8);
const STREAMS = Number(process.env.BENCH_EVENT_STREAMS ?? 1000);
const PART = process.env.BENCH_EVENTS_PART;

let serial = 0;
function anEntry(): AuditEntry {
  serial += 1;
  const taskId = `t_bench${String(serial).padStart(19, '0')}`;
  const at = new Date();
  return {
    id: `${taskId}:1`,
    taskId,
    actorId: 'u_alice',
    action: 'create',
    fromStatus: null,
    toStatus: 'pending',
    changes: {},
    version: 1,
    requestId: null,
    via: 'session',
    at,
    state: { id: taskId, title: 'Bench', version: 1, createdAt: at.toISOString() },
    records: [],
  };
}

/** Runs `write` WRITES times from WRITERS concurrent loops; writes per second. */
async function throughput(write: (writer: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, w) => {
      while (next < WRITES) {
        next += 1;
        await write(w);
      }
    }),
  );
  return WRITES / (Number(process.hrtime.bigint() - started) / 1e9);
}

/** The unit of work without transactions (FerretDB has none). */
const noTransactions = {
  session: () => undefined,
  inTransaction: () => false,
} as unknown as MongoUnitOfWork;

async function indexes(connection: mongoose.Connection, collection: string, upTo: string) {
  for (const migration of MIGRATIONS.filter((m) => m.id <= upTo)) {
    for (const step of migration.steps.filter(isIndexStep)) {
      if (step.createIndex.collection !== 'audit_entries') continue;
      await connection.collection(collection).createIndex(step.createIndex.keys, {
        name: step.createIndex.name,
        unique: step.createIndex.unique ?? false,
      });
    }
  }
}

/** Two app instances' event machinery on one connection each. */
async function instances(uri: string, count: number) {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const connection = await mongoose.createConnection(uri).asPromise();
      const model = connection.model('AuditEntryDocument', AuditEntrySchema, 'audit_entries');
      const notifier = new EventLogNotifier();
      const horizon = new MongoEventHorizon(connection, notifier);
      horizon.onApplicationBootstrap();
      const log = new MongoAuditLogRepository(model as never, noTransactions, horizon);
      return {
        connection,
        notifier,
        horizon,
        log,
        close: async () => {
          await horizon.onApplicationShutdown();
          await connection.close();
        },
      };
    }),
  );
}

async function writeThroughput(uri: string): Promise<void> {
  const connection = await mongoose.createConnection(uri).asPromise();
  await indexes(connection, 'audit_entries_before', '0007');
  await indexes(connection, 'audit_entries', '0008');
  const before = connection.model('Before', AuditEntrySchema, 'audit_entries_before');
  const [one, two] = await instances(uri, 2);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const rows: Record<string, number[]> = { without: [], one: [], two: [] };
  try {
    for (let round = 0; round < 2; round++) {
      rows.without.push(
        await throughput(async () => {
          const entry = anEntry();
          const doc: Record<string, unknown> = { ...toAuditEntryDocument(entry, 0) };
          delete doc.seq;
          await insertClaim(
            before,
            doc,
            undefined,
            () => new ConcurrencyConflict('Task', entry.taskId),
          );
        }),
      );
      rows.one.push(await throughput(() => one.log.append(anEntry())));
      rows.two.push(await throughput((w) => [one, two][w % 2].log.append(anEntry())));
    }
    const fmt = (values: number[]) => values.map((v) => v.toFixed(0)).join(', ');
    console.log(
      `write throughput on FerretDB, ${WRITES} claims from ${WRITERS} writers, two rounds:\n` +
        `  without the event machinery (insert by _id, 0002 indexes): ${fmt(rows.without)} writes/s\n` +
        `  with stamps and the horizon, one instance:                 ${fmt(rows.one)} writes/s\n` +
        `  with stamps and the horizon, two instances:                ${fmt(rows.two)} writes/s`,
    );
  } finally {
    await one.close();
    await two.close();
    await connection.close();
  }
}

async function wakeLatency(uri: string): Promise<void> {
  const [a, b] = await instances(uri, 2);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const latencies: number[] = [];
  try {
    for (let i = 0; i < 30; i++) {
      const from = await b.log.head();
      const entry = anEntry();
      // B's waiter: woken by B's shared poll, then the entry must be readable on B.
      const woken = (async () => {
        for (;;) {
          await b.notifier.wait(b.notifier.generation(), 5000);
          const read = await b.log.readAfter(from, {}, 100);
          if (read.some((each) => each.id === entry.id)) return Date.now();
        }
      })();
      await new Promise((resolve) => setTimeout(resolve, 50 + ((i * 37) % 150)));
      await a.log.append(entry);
      const appendedAt = Date.now();
      latencies.push((await woken) - appendedAt);
    }
    latencies.sort((x, y) => x - y);
    console.log(
      `cross-instance wake (append on A acknowledged → B's waiter woken with the entry readable), ` +
        `${latencies.length} samples: median ${latencies[latencies.length >> 1]} ms, ` +
        `p90 ${latencies[Math.floor(latencies.length * 0.9)]} ms, max ${latencies[latencies.length - 1]} ms`,
    );
  } finally {
    await a.close();
    await b.close();
  }
}

/** Collects garbage in the inspected process and answers its `heapUsed`. */
async function heapReader(port: number): Promise<() => Promise<number>> {
  const [target] = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as {
    webSocketDebuggerUrl: string;
  }[];
  const socket = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  let id = 0;
  const call = (method: string, params: object = {}) =>
    new Promise<{ result?: { result?: { value?: string } } }>((resolve) => {
      id += 1;
      const mine = id;
      socket.addEventListener('message', function listener(message) {
        const reply = JSON.parse(String(message.data)) as {
          id?: number;
          result?: { result?: { value?: string } };
        };
        if (reply.id !== mine) return;
        socket.removeEventListener('message', listener);
        resolve(reply);
      });
      socket.send(JSON.stringify({ id: mine, method, params }));
    });
  return async () => {
    await call('HeapProfiler.collectGarbage');
    const reply = await call('Runtime.evaluate', {
      expression: 'String(process.memoryUsage().heapUsed)',
    });
    return Number(reply.result?.result?.value);
  };
}

const rssOf = (pid: number): number =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;

async function idleRss(kind: 'streams' | 'connections'): Promise<void> {
  const port = await freePort();
  const inspector = await freePort();
  // The inspector lets the bench collect garbage in the app and read its heap (retained bytes).
  const child = spawn(
    process.execPath,
    [`--inspect=127.0.0.1:${inspector}`, path.resolve(MAIN_JS)],
    {
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'test',
        DEV_MODE: 'true',
        RATE_LIMIT_GLOBAL: 'off',
        RATE_LIMIT_AUTH: 'off',
        LOG_LEVEL: 'warn',
        PORT: String(port),
        JWT_SECRET: 'bench-secret-that-is-at-least-32-bytes-long',
        TASK_REPOSITORY_DRIVER: 'memory',
        EVENT_STREAMS_PER_ACCOUNT: String(STREAMS),
      },
      stdio: 'ignore',
    },
  );
  try {
    for (let i = 0; ; i++) {
      const up = await fetch(`http://127.0.0.1:${port}/livez`).then(
        (r) => r.ok,
        () => false,
      );
      if (up) break;
      if (i > 400) throw new Error('the built app did not start');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
    const open = () =>
      new Promise<http.ClientRequest>((resolve, reject) => {
        const request = http.get(
          {
            port,
            host: '127.0.0.1',
            path: '/events/stream?after=now',
            agent,
            headers: { 'x-user-id': 'u_alice' },
          },
          (res) => {
            if (res.statusCode !== 200) reject(new Error(`stream answered ${res.statusCode}`));
            res.once('data', () => resolve(request));
          },
        );
        request.on('error', reject);
      });
    // Warm up (JIT, first stream's allocations), then settle.
    for (const warm of await Promise.all(Array.from({ length: 20 }, open))) warm.destroy();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const heapAfterGc = await heapReader(inspector);
    const perConnection = async (label: string, connect: () => Promise<{ destroy(): void }>) => {
      const heapBefore = await heapAfterGc();
      const before = rssOf(child.pid as number);
      const held: { destroy(): void }[] = [];
      for (let i = 0; i < STREAMS; i += 50) {
        held.push(
          ...(await Promise.all(Array.from({ length: Math.min(50, STREAMS - i) }, connect))),
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const after = rssOf(child.pid as number);
      const heapAfter = await heapAfterGc();
      console.log(
        `RSS of the built app (memory driver), ${label}: ${(before / 2 ** 20).toFixed(1)} MiB before, ` +
          `${(after / 2 ** 20).toFixed(1)} MiB with ${held.length} ` +
          `(+${((after - before) / 2 ** 20).toFixed(1)} MiB, ${((after - before) / held.length / 1024).toFixed(1)} KiB each); ` +
          `JS heap after GC +${((heapAfter - heapBefore) / held.length / 1024).toFixed(1)} KiB each`,
      );
      for (const each of held) each.destroy();
      await new Promise((resolve) => setTimeout(resolve, 2000));
    };
    // The floor: an idle keep-alive connection that served one authenticated GET.
    const idle = () =>
      new Promise<{ destroy(): void }>((resolve, reject) => {
        const socket = new http.Agent({ keepAlive: true, maxSockets: 1 });
        http
          .get(
            {
              port,
              host: '127.0.0.1',
              path: '/me',
              agent: socket,
              headers: { 'x-user-id': 'u_alice' },
            },
            (res) => {
              res.resume();
              res.on('end', () => resolve({ destroy: () => socket.destroy() }));
            },
          )
          .on('error', reject);
      });
    // Each kind in a fresh process, after the same warm-up, so neither inherits the other's heap.
    if (kind === 'connections') {
      await perConnection('idle keep-alive connections after one GET /me', idle);
    } else {
      await perConnection('idle GET /events/stream', open);
    }
  } finally {
    child.kill('SIGKILL');
  }
}

async function main(): Promise<void> {
  if (PART === undefined || PART === 'writes' || PART === 'wake') {
    const server = await startMongoServer({ dbName: 'bench_events' });
    try {
      if (PART !== 'wake') await writeThroughput(server.uri);
      if (PART !== 'writes') await wakeLatency(server.uri);
    } finally {
      await server.stop();
    }
  }
  if (PART === undefined || PART === 'rss') {
    for (let round = 0; round < 2; round++) {
      await idleRss('connections');
      await idleRss('streams');
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
