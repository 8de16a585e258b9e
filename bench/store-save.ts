/**
 * What one save costs in the memory task store, in-process, without HTTP (bench/README.md, "The
 * sorted list at scale"): the repository seeded like the scale benchmark's (SIZE tasks, default
 * 1M), then saves of tasks picked at random from the middle half of the store, timed one by one,
 * in rounds that alternate the kinds of save:
 *
 * - status: the status changes (and updated_at, as a transition sets it): the task leaves one
 *   status's id list (~SIZE/5 ids) for another;
 * - assignee: the assignee changes (and updated_at): it leaves one assignee's and viewer's lists;
 * - title: only the title and updated_at change, no id list moves (the floor of a save);
 * - insert: a new task (ids after every seeded one, as new tasks have), appended to its lists.
 *
 * Prints the heap per task after seeding (forced GC) and, per kind, the median of the round
 * medians, the lowest and highest round median, and the median of all saves.
 *
 *   npm exec -- node --expose-gc --max-old-space-size=4096 -r @swc-node/register \
 *     bench/store-save.ts   # SIZE=1000000 ROUNDS=5 SAVES=500
 */
import 'reflect-metadata';
import { MemoryUnitOfWork } from '../libs/platform/src';
import type { TaskState } from '../libs/tasks/src/domain/task-events';
import { MemoryTaskRepository } from '../libs/tasks/src/infrastructure/memory/memory-task.repository';
import { seededRandom } from '../libs/tasks/src/testing';
import { SEED_ASSIGNEES, seedTaskStates } from './seed';
import { median } from './stats';

const SIZE = Number(process.env.SIZE ?? 1_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const SAVES = Number(process.env.SAVES ?? 500);
const KINDS = ['status', 'assignee', 'title', 'insert'] as const;
type Kind = (typeof KINDS)[number];
const NEXT_STATUS: Record<string, TaskState['status']> = {
  assigned: 'in_progress',
  in_progress: 'submitted',
  submitted: 'rejected',
  rejected: 'approved',
  approved: 'assigned',
};

const heap = (): number => {
  global.gc?.();
  return process.memoryUsage().heapUsed;
};

function changed(state: TaskState, kind: Kind, at: Date): TaskState {
  const next = { ...state, version: state.version + 1, updatedAt: at };
  if (kind === 'status') return { ...next, status: NEXT_STATUS[state.status] };
  if (kind === 'assignee') {
    const slot = (Number(state.assigneeId?.replace(/\D/g, '') || 0) + 1) % SEED_ASSIGNEES;
    return { ...next, assigneeId: slot === 0 ? 'u_bob' : `u_seed${slot}` };
  }
  return { ...next, title: `${state.title}.` };
}

async function main(): Promise<void> {
  const before = heap();
  const repository = new MemoryTaskRepository(new MemoryUnitOfWork());
  const ids: string[] = [];
  const seedStarted = Date.now();
  await seedTaskStates(SIZE, async (states) => {
    for (const state of states) {
      ids.push(state.id);
      await repository.insert(state);
    }
  });
  const seedMs = Date.now() - seedStarted;
  const bytesPerTask = (heap() - before) / SIZE;
  console.log(
    `${SIZE} tasks seeded in ${(seedMs / 1000).toFixed(1)} s, heap ${bytesPerTask.toFixed(0)} bytes/task (Node ${process.version})`,
  );

  // The same tasks in every run.
  const next = seededRandom(17);
  const rounds: Record<Kind, number[]> = { status: [], assignee: [], title: [], insert: [] };
  const all: Record<Kind, number[]> = { status: [], assignee: [], title: [], insert: [] };
  let inserted = 0;
  for (let round = 0; round < ROUNDS + 1; round++) {
    for (const kind of KINDS) {
      const times: number[] = [];
      for (let i = 0; i < SAVES; i++) {
        const id = ids[Math.floor(SIZE / 4 + next() * (SIZE / 2))];
        const state = (await repository.findById(id))!.snapshot();
        if (kind === 'insert') {
          // After the seeded ids (t_00…), like the ULIDs the API mints.
          const task = { ...state, id: `t_01${String(inserted++).padStart(24, '0')}`, version: 1 };
          const started = process.hrtime.bigint();
          await repository.insert(task);
          times.push(Number(process.hrtime.bigint() - started) / 1000);
          continue;
        }
        const after = changed(state, kind, new Date());
        const started = process.hrtime.bigint();
        await repository.save(after, state.version);
        times.push(Number(process.hrtime.bigint() - started) / 1000);
      }
      // The first round warms up.
      if (round === 0) continue;
      rounds[kind].push(median(times));
      all[kind].push(...times);
    }
  }
  for (const kind of KINDS) {
    const medians = rounds[kind];
    console.log(
      `${kind.padEnd(8)}: median of ${ROUNDS} round medians ${median(medians).toFixed(1)} µs ` +
        `(rounds ${Math.min(...medians).toFixed(1)}–${Math.max(...medians).toFixed(1)}), ` +
        `all ${all[kind].length} calls ${median(all[kind]).toFixed(1)} µs`,
    );
  }
}

void main();
