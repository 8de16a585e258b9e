import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import {
  Actors,
  DURATION,
  LoadOptions,
  SMALL,
  WARMUP,
  anAssignedTask,
  ask,
  fire,
  login,
  notes,
  startApp,
  stop,
  transitionLoop,
} from '../harness';
import { topFrames } from '../profile-top';
import { SEED_ACTOR } from '../seed';

/** CPU profiles of the app under each memory-driver load (after warm-up); top frames printed. */
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
