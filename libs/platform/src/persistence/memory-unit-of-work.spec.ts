import { ConcurrencyConflict } from '../domain/domain-error';
import { MemoryUnitOfWork } from './memory-unit-of-work';

/** A tiny store whose writes go through the unit of work, like the memory repositories. */
class Cells {
  readonly values = new Map<string, number>();

  constructor(private readonly unitOfWork: MemoryUnitOfWork) {}

  /** Sets `key` unless another writer got there first. */
  async claim(key: string, value: number): Promise<void> {
    this.unitOfWork.write({
      check: () => {
        if (this.values.has(key)) throw new ConcurrencyConflict('Cell', key);
      },
      apply: () => {
        this.values.set(key, value);
      },
    });
  }
}

describe('MemoryUnitOfWork', () => {
  let unitOfWork: MemoryUnitOfWork;
  let cells: Cells;

  beforeEach(() => {
    unitOfWork = new MemoryUnitOfWork();
    cells = new Cells(unitOfWork);
  });

  it('applies every write of a unit once the work is done, and returns its result', async () => {
    const result = await unitOfWork.run(async () => {
      await cells.claim('a', 1);
      await cells.claim('b', 2);
      expect(cells.values.size).toBe(0);
      return 'done';
    });

    expect(result).toBe('done');
    expect([...cells.values]).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
  });

  it('leaves no earlier write behind when a later write fails its check', async () => {
    await cells.claim('taken', 0);

    const unit = unitOfWork.run(async () => {
      await cells.claim('a', 1);
      await cells.claim('b', 2);
      await cells.claim('taken', 3);
    });

    await expect(unit).rejects.toBeInstanceOf(ConcurrencyConflict);
    expect([...cells.values]).toEqual([['taken', 0]]);
  });

  it('leaves nothing behind when the work itself throws after staging writes', async () => {
    const unit = unitOfWork.run(async () => {
      await cells.claim('a', 1);
      throw new Error('the use case failed');
    });

    await expect(unit).rejects.toThrow('the use case failed');
    expect(cells.values.size).toBe(0);
  });

  it('applies a write at once when no unit runs', async () => {
    await cells.claim('a', 1);

    expect(cells.values.get('a')).toBe(1);
    await expect(cells.claim('a', 2)).rejects.toBeInstanceOf(ConcurrencyConflict);
    expect(cells.values.get('a')).toBe(1);
  });

  it('lets a nested unit join the outer one, so an outer failure undoes it too', async () => {
    await cells.claim('taken', 0);

    const unit = unitOfWork.run(async () => {
      await unitOfWork.run(async () => {
        await cells.claim('inner', 1);
      });
      expect(cells.values.has('inner')).toBe(false);
      await cells.claim('taken', 2);
    });

    await expect(unit).rejects.toBeInstanceOf(ConcurrencyConflict);
    expect(cells.values.has('inner')).toBe(false);
  });

  it('keeps concurrent units apart: each commits or fails on its own', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));

    const first = unitOfWork.run(async () => {
      await cells.claim('x', 1);
      await gate;
      await cells.claim('first-only', 1);
    });
    const second = unitOfWork.run(async () => {
      await cells.claim('y', 2);
      await gate;
      await cells.claim('x', 2);
    });
    release();

    const [a, b] = await Promise.allSettled([first, second]);
    expect(a.status).toBe('fulfilled');
    expect(b.status).toBe('rejected');
    expect((b as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrencyConflict);
    expect(Object.fromEntries(cells.values)).toEqual({ x: 1, 'first-only': 1 });
  });

  it('decides a race between two units claiming the same key: exactly one wins', async () => {
    const results = await Promise.allSettled(
      [1, 2, 3, 4, 5].map((value) =>
        unitOfWork.run(async () => {
          await Promise.resolve();
          await cells.claim('contended', value);
        }),
      ),
    );

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const losers = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(losers).toHaveLength(4);
    for (const loser of losers) expect(loser.reason).toBeInstanceOf(ConcurrencyConflict);
  });
});
