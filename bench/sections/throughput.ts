import {
  DURATION,
  Measure,
  SMALL,
  DIST_MAIN,
  addRow,
  anAssignedTask,
  call,
  claimLoop,
  getTaskFixture,
  measureAlternately,
  notes,
  startAnchor,
  startApp,
  startEntry,
  TSC_MAIN,
  startServer,
  stop,
  transitionLoop,
  WARMUP,
} from '../harness';
import { openLoop } from '../open-loop';
import { SEED_ACTOR } from '../seed';

/**
 * The memory-driver pairs: the bare ceiling, Nest's floor, the hand-written anchor (the same work
 * by hand, at the app's log level in each pair) and the app's GET, keyed transition and listing;
 * then the GET's latency at half its maximum rate from the open-loop generator.
 */
export async function throughput(): Promise<void> {
  const app = await startApp({ BENCH_SEED_TASKS: String(SMALL) });
  const started = [app.child];
  try {
    const { actors, taskId, getTask, body, bodyFile } = await getTaskFixture(app.url, 'memory');
    const ceiling = await startServer('baseline-server.ts', { BENCH_BODY_FILE: bodyFile });
    const nest = await startServer('nest-floor-server.ts', { BENCH_BODY_FILE: bodyFile });
    // The same app as production logs: one request line per request (to /dev/null here).
    const logging = await startApp({ LOG_LEVEL: 'info', BENCH_STDOUT: 'ignore' });
    const anchor = await startAnchor();
    const anchorInfo = await startAnchor({ LOG_LEVEL: 'info', BENCH_STDOUT: 'ignore' });
    // How close Nest can come: the anchor's work written as a Nest app on the same adapter.
    const nestAnchor = await startAnchor({}, 'nest-anchor-server.ts');
    // What production starts (`npm run start:prod`): the bundle, beside tsc's main.js started
    // the same way (app-server builds the app itself, without main.js's set-up).
    const bundle = await startEntry(DIST_MAIN);
    const unbundled = await startEntry(TSC_MAIN);
    started.push(ceiling.child, nest.child, logging.child, anchor.child, anchorInfo.child);
    started.push(nestAnchor.child);
    started.push(bundle.child, unbundled.child);
    const loggedGet = await getTaskFixture(logging.url, 'memory-info');
    const bundleGet = await getTaskFixture(bundle.url, 'memory-bundle');
    const unbundledGet = await getTaskFixture(unbundled.url, 'memory-tsc');
    // The anchors' tasks are created through their own routes with the app's tokens.
    const anchorTask = async (url: string) => {
      const id = await anAssignedTask(url, actors);
      return { path: `/tasks/${id}`, headers: { authorization: `Bearer ${actors.bob}` } };
    };
    const list = {
      path: `/tasks?assignee_id=${SEED_ACTOR}&limit=50`,
      headers: { authorization: `Bearer ${actors.bob}` },
    };
    // The same GET with an API key of bob's instead of his JWT (issue 20).
    const apiKey = await call(app.url, 'POST', '/api-keys', actors.bob, {
      name: 'bench',
      scopes: ['tasks:read'],
      expires_in_days: 1,
    });
    const getTaskWithKey = {
      path: getTask.path,
      headers: { authorization: `Bearer ${apiKey.key as string}` },
    };
    const results = await measureAlternately([
      { name: 'ceiling', url: ceiling.url, load: { path: `/tasks/${taskId}` } },
      { name: 'nest', url: nest.url, load: { path: `/tasks/${taskId}` } },
      { name: 'anchor', url: anchor.url, load: await anchorTask(anchor.url) },
      { name: 'nest-anchor', url: nestAnchor.url, load: await anchorTask(nestAnchor.url) },
      { name: 'get', url: app.url, load: getTask },
      { name: 'get-key', url: app.url, load: getTaskWithKey },
      { name: 'get-bundle', url: bundle.url, load: bundleGet.getTask },
      { name: 'get-tsc', url: unbundled.url, load: unbundledGet.getTask },
      { name: 'anchor-info', url: anchorInfo.url, load: await anchorTask(anchorInfo.url) },
      { name: 'get-info', url: logging.url, load: loggedGet.getTask },
      {
        name: 'anchor-transition',
        url: anchor.url,
        load: () => transitionLoop(anchor.url, actors),
      },
      {
        name: 'nest-anchor-transition',
        url: nestAnchor.url,
        load: () => transitionLoop(nestAnchor.url, actors),
      },
      { name: 'transition', url: app.url, load: () => transitionLoop(app.url, actors) },
      { name: 'claim', url: app.url, load: () => claimLoop(app.url, actors) },
      { name: 'list', url: app.url, load: list },
    ]);
    const result = (name: string) => results.get(name) as Measure;
    const ceilingBase = { name: '(1) ceiling', measure: result('ceiling') };
    const warn = process.env.LOG_LEVEL ?? 'warn';
    addRow(`(1) ceiling: bare Fastify, ${body.length} B task JSON`, ceilingBase.measure);
    addRow('(1n) framework floor: bare Nest on Fastify, same JSON', result('nest'), ceilingBase);
    const anchorBase = { name: '(A)', measure: result('anchor') };
    addRow(
      `(A) anchor: the GET's work by hand on Fastify, ${warn}`,
      anchorBase.measure,
      ceilingBase,
    );
    const nestAnchorBase = { name: '(An)', measure: result('nest-anchor') };
    addRow(
      "(An) the anchor's work as a Nest app (global guard, controller)",
      nestAnchorBase.measure,
      anchorBase,
      undefined,
      [ceilingBase],
    );
    const get = result('get');
    const row = addRow('(2) GET /tasks/:id, JWT, memory', get, anchorBase, { min: 0.7 }, [
      ceilingBase,
      nestAnchorBase,
    ]);
    notes.getOverFloor = get.rps / result('nest').rps;
    const withKey = addRow('(2k) the same GET with an API key', result('get-key'), anchorBase);
    withKey.note = `${Math.round((withKey.rps / get.rps) * 100)}% of the JWT GET's rate (2)`;
    const unbundledBase = { name: '(2t)', measure: result('get-tsc') };
    addRow(
      "(2t) the same GET, tsc's main.js started as production starts",
      unbundledBase.measure,
      anchorBase,
      undefined,
      [ceilingBase],
    );
    const bundleRow = addRow(
      '(2b) the same GET, the bundle (what production starts)',
      result('get-bundle'),
      anchorBase,
      undefined,
      [ceilingBase, unbundledBase],
    );
    notes.bundleOverTsc = bundleRow.also?.['(2t)'] ?? 0;
    const anchorInfoBase = { name: '(Ai)', measure: result('anchor-info') };
    addRow('(Ai) anchor at LOG_LEVEL=info (lines written)', anchorInfoBase.measure, ceilingBase);
    addRow(
      '(2i) the same GET at LOG_LEVEL=info (lines written)',
      result('get-info'),
      anchorInfoBase,
      { min: 0.7 },
      [ceilingBase],
    );
    const anchorTransition = { name: '(At)', measure: result('anchor-transition') };
    addRow('(At) anchor: keyed transitions by hand, Maps', anchorTransition.measure, ceilingBase);
    const nestAnchorTransition = { name: '(Ant)', measure: result('nest-anchor-transition') };
    addRow(
      '(Ant) the same transitions as a Nest app',
      nestAnchorTransition.measure,
      anchorTransition,
      undefined,
      [ceilingBase],
    );
    addRow(
      '(3) transition loop, Idempotency-Key, memory',
      result('transition'),
      anchorTransition,
      { min: 0.5 },
      [ceilingBase, nestAnchorTransition],
    );
    addRow(
      '(3c) claim the next open task, release it, Idempotency-Key, memory',
      result('claim'),
      ceilingBase,
    );
    addRow(
      `(4) GET /tasks?assignee_id&limit=50, memory, ${SMALL} tasks`,
      result('list'),
      ceilingBase,
    );

    // Latency under a steady load at half the maximum rate, evenly paced, from each due time,
    // after a warm-up at that rate (its first seconds are JIT and socket set-up: p99 in seconds).
    // The anchor at the same rate shows what the generator and the machine add on their own.
    const rate = Math.max(1, Math.floor(get.rps / 2));
    const steady = async (url: string, load: typeof getTask) => {
      await openLoop(url, { ...load, rate, seconds: WARMUP });
      return openLoop(url, { ...load, rate, seconds: DURATION * 2 });
    };
    const half = await steady(app.url, getTask);
    const anchorHalf = await steady(anchor.url, await anchorTask(anchor.url));
    const figures = (r: typeof half) =>
      `p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, max ${r.max.toFixed(1)} ms`;
    row.note =
      `open loop at ${rate} req/s (half its max, evenly paced, from due times): ${figures(half)} ` +
      `(target p99 ≤ 3 ms: ${half.p99 <= 3 ? 'holds' : 'NO'}); the anchor (A) at the same rate: ` +
      figures(anchorHalf);
    notes.getAtHalfRate = { ...half, holds: half.p99 <= 3, anchor: anchorHalf };
  } finally {
    await Promise.all(started.map((child) => stop(child)));
  }
}
