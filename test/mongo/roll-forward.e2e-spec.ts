import { AuditLogRepository } from '@taskflow/audit';
import { MongoTopology } from '@taskflow/platform/mongo';
import { TaskRepository, TaskRollForwardSweep } from '@taskflow/tasks';
import type { TaskState } from '@taskflow/tasks';
import { startTestApp, TestApp } from '../support/test-app';
import {
  anAssignedTask,
  as,
  expectConsistent,
  historyOf,
  startWithComment,
} from '../support/workflow';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Without transactions a change is claimed (its audit entry) a moment before its task document
 * is written. A repair (the roll-forward) that wrote the document in that moment would race the
 * writer, and on FerretDB, whose version-guarded update is two steps, the later of the two writes
 * can land on top of a newer change (a burst of writes once ended with the task one version
 * behind its log). These hold a writer between its claim and its task write, and check that
 * neither the next writer nor the sweep writes the held change for it.
 */
describe('a repair and a writer still at work (mongo driver)', () => {
  let t: TestApp;
  let tasks: TaskRepository;
  let save: TaskRepository['save'];
  /** The versions of the task documents written, in order. */
  let saved: number[];
  let release: () => void;

  beforeAll(async () => {
    t = await startTestApp('mongo');
    if (t.app.get(MongoTopology, { strict: false }).transactions) {
      throw new Error('this suite needs a server without transactions (FerretDB)');
    }
    tasks = t.app.get(TaskRepository, { strict: false });
    save = tasks.save.bind(tasks);
  });
  afterAll(() => t.close());

  /** Holds the next task write until `release()`, and records every write. */
  function holdNextSave(): void {
    saved = [];
    const held = new Promise<void>((resolve) => (release = resolve));
    let holding = true;
    tasks.save = async (state: TaskState, expectedVersion: number) => {
      saved.push(state.version);
      if (holding) {
        holding = false;
        await held;
      }
      return save(state, expectedVersion);
    };
  }
  afterEach(() => {
    release?.();
    tasks.save = save;
  });

  /** Starts a change that claims version 3 of a new task and is then held before its write. */
  async function aHeldChange(): Promise<{ id: string; writer: Promise<number> }> {
    const id = await anAssignedTask(t, 'slow writer');
    holdNextSave();
    const writer = startWithComment(t, id).then((res) => res.status);
    const log = t.app.get(AuditLogRepository, { strict: false });
    while ((await log.listForTask(id, { after: null, limit: 10 })).items.length < 3) {
      await sleep(10);
    }
    return { id, writer };
  }

  it('lets the writer store its claimed change: the write that lost to it does not', async () => {
    const { id, writer } = await aHeldChange();
    const loser = t
      .http()
      .patch(`/tasks/${id}`)
      .set(as('u_alice'))
      .send({ priority: 'high' })
      .then((res) => res.status);
    await sleep(500);
    release();
    expect(await writer).toBe(200);
    expect(await loser).toBe(409);
    expect(saved).toEqual([3]);
    const history = await historyOf(t, id);
    expectConsistent(history);
    expect(history.task).toMatchObject({ status: 'in_progress', version: 3, priority: 'normal' });
  });

  it('lets the writer store its claimed change: the sweep does not', async () => {
    const { id, writer } = await aHeldChange();
    const sweep = t.app.get(TaskRollForwardSweep, { strict: false }).sweep();
    await sleep(500);
    release();
    expect(await writer).toBe(200);
    expect(await sweep).not.toContain(id);
    expect(saved).toEqual([3]);
    expectConsistent(await historyOf(t, id));
  });

  it('still repairs a change whose writer never comes back, once the grace has passed', async () => {
    const { id } = await aHeldChange();
    const started = Date.now();
    const res = await t.http().patch(`/tasks/${id}`).set(as('u_alice')).send({ priority: 'high' });
    expect(res.status).toBe(409);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_500);
    expect(saved).toEqual([3, 3]);
    const history = await historyOf(t, id);
    expectConsistent(history);
    expect(history.task).toMatchObject({ status: 'in_progress', version: 3 });
  });
});
