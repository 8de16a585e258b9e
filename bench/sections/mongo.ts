import { randomBytes } from 'node:crypto';
import { startMongoServer } from '../../scripts/mongo-server';
import {
  Actors,
  FERRET_LARGE,
  FERRET_SMALL,
  Measure,
  PASSWORD,
  Server,
  addRow,
  anAssignedTask,
  ask,
  call,
  getTaskFixture,
  login,
  measureAlternately,
  migrateUp,
  notes,
  startApp,
  startServer,
  stop,
} from '../harness';
import { SEED_ACTOR } from '../seed';
import { median } from '../stats';

/** (6) the GET on the Mongo driver against the same three commands by hand; FerretDB listings. */
export async function mongo(): Promise<void> {
  // MONGODB_URI's server, a mongod or FerretDB (scripts/mongo-server.ts, as the tests use).
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
          { min: 0.7 },
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
      const label = `list ${size} tasks, ms per request (median of 3, one at a time)`;
      // Seeding 100k tasks into FerretDB can itself outlast the driver's socket timeout on a
      // loaded machine (the app then exits): information only, recorded, not a failed section.
      const started = await mongoApp(`bench_${size}_${randomBytes(3).toString('hex')}`, size).catch(
        (error: unknown) => {
          info[label] = `could not seed: ${String(error).slice(0, 200)}`;
          console.log(`  FerretDB, ${size} tasks: ${String(info[label])}`);
          return null;
        },
      );
      if (!started) continue;
      const sized = started.app;
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
