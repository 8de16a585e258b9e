import {
  Contender,
  LARGE,
  Measure,
  SMALL,
  Server,
  addRow,
  login,
  measureAlternately,
  notes,
  startApp,
  stop,
  transitionLoop,
} from '../harness';
import { SEED_ACTOR } from '../seed';

/** The memory driver at SMALL and LARGE seeded tasks: listing and transitions, alternately. */
export async function scale(): Promise<void> {
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
        {
          // Issue 18: a sorted, filtered list (bob's tasks, most urgent first).
          name: `sorted-${label}`,
          url: app.url,
          load: {
            path: `/tasks?assignee_id=${SEED_ACTOR}&sort=-priority&limit=50`,
            headers: { authorization: `Bearer ${actors.bob}` },
          },
        },
        { name: `transition-${label}`, url: app.url, load: () => transitionLoop(app.url, actors) },
      );
    }
    const results = await measureAlternately(contenders);
    const described: Record<string, string> = {
      list: 'GET /tasks?assignee_id&limit=50',
      sorted: 'GET /tasks?assignee_id&sort=-priority&limit=50',
      transition: 'transition loop',
    };
    for (const [kind, what] of Object.entries(described)) {
      const s = results.get(`${kind}-small`) as Measure;
      const l = results.get(`${kind}-large`) as Measure;
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
