import { insertClaim } from './insert-claim';

const duplicateKey = Object.assign(new Error('E11000 duplicate key'), { code: 11000 });

/** A model whose create() fails with `error`, or stores the documents it gets. */
const modelFailingWith = (error: Error | null) => {
  const stored: unknown[] = [];
  return {
    stored,
    create: async (docs: unknown[]) => {
      if (error) throw error;
      stored.push(...docs);
    },
  };
};

describe('insertClaim', () => {
  it('inserts the document', async () => {
    const model = modelFailingWith(null);
    await insertClaim(model, { _id: 'a' }, undefined, () => new Error('lost'));
    expect(model.stored).toEqual([{ _id: 'a' }]);
  });

  it('turns a lost race for the unique key into the error the caller names', async () => {
    const lost = new Error('taken');
    await expect(
      insertClaim(modelFailingWith(duplicateKey), { _id: 'a' }, undefined, () => lost),
    ).rejects.toBe(lost);
  });

  it('ignores a duplicate key when the caller accepts one', async () => {
    await expect(
      insertClaim(modelFailingWith(duplicateKey), { _id: 'a' }, undefined, () => null),
    ).resolves.toBeUndefined();
  });

  it('rethrows any other error as it is', async () => {
    const down = new Error('connection reset');
    await expect(
      insertClaim(modelFailingWith(down), { _id: 'a' }, undefined, () => null),
    ).rejects.toBe(down);
  });
});
