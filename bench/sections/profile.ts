import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import {
  Actors,
  DIST_MAIN,
  DURATION,
  LoadOptions,
  SMALL,
  WARMUP,
  anAssignedTask,
  ask,
  cpuMicros,
  fire,
  login,
  notes,
  startApp,
  startEntry,
  stop,
  transitionLoop,
} from '../harness';
import { topFrames } from '../profile-top';
import { SEED_ACTOR } from '../seed';

/**
 * CPU profiles under each memory-driver load (after warm-up; the load alone, not start-up); top
 * frames printed. The GET and the transitions on what production starts (the bundle,
 * BENCH_PROFILE_TSC=1 for tsc's output instead); the listing on app-server, which seeds tasks.
 */
export async function profile(): Promise<void> {
  const dir = path.join(__dirname, '../results/profiles');
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
  const cpu: Record<string, number> = {};
  for (const [name, load] of Object.entries(loads)) {
    profiles[name] = path.join(dir, `${name}-${Date.now()}.cpuprofile`);
    const app =
      name === 'list' || process.env.BENCH_PROFILE_TSC === '1'
        ? await startApp({ BENCH_SEED_TASKS: String(SMALL) })
        : await startEntry(DIST_MAIN, {}, { profiled: true });
    try {
      const actors = { alice: await login(app.url, 'u_alice'), bob: await login(app.url, 'u_bob') };
      const options = await load(app.url, actors);
      await fire(app.url, options, WARMUP);
      await ask(app.child, { type: 'profile-start' });
      const cpuBefore = cpuMicros(app.child.pid);
      const measure = await fire(app.url, options, DURATION * 2);
      // The server's own CPU time per request (user + system), profiler included.
      cpu[name] = (cpuMicros(app.child.pid) - cpuBefore) / (measure.rps * DURATION * 2);
      await ask(app.child, { type: 'profile-stop', file: profiles[name] });
    } finally {
      await stop(app.child);
    }
    console.log(
      `profile of ${name}: ${profiles[name]}, ${cpu[name].toFixed(0)} µs CPU per request\n` +
        topFrames(profiles[name], 15),
    );
  }
  notes.profiles = profiles;
  notes.cpuMicrosPerRequest = cpu;
}
