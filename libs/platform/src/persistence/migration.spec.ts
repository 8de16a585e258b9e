import { assertMigrationList, checksumOf, Migration } from './migration';

const index = (name: string) => ({
  createIndex: { collection: 'tasks', name, keys: { status: 1, _id: 1 } as const },
});
const migration: Migration = { id: '0001-first', description: 'x', steps: [index('a')] };

describe('migration checksums', () => {
  it('do not change when keys are reordered or the description is edited', () => {
    const reordered: Migration = {
      description: 'reworded',
      steps: [{ createIndex: { keys: { status: 1, _id: 1 }, name: 'a', collection: 'tasks' } }],
      id: '0001-first',
    };
    expect(checksumOf(reordered)).toBe(checksumOf(migration));
  });

  it('change when a step changes', () => {
    expect(checksumOf({ ...migration, steps: [index('b')] })).not.toBe(checksumOf(migration));
    expect(
      checksumOf({
        ...migration,
        steps: [{ createIndex: { ...index('a').createIndex, unique: true } }],
      }),
    ).not.toBe(checksumOf(migration));
  });
});

describe('assertMigrationList', () => {
  it('accepts ids in order', () => {
    expect(() =>
      assertMigrationList([migration, { ...migration, id: '0002-second' }]),
    ).not.toThrow();
  });

  it('refuses repeated, unordered or malformed ids', () => {
    expect(() => assertMigrationList([migration, migration])).toThrow(/out of order or repeated/);
    expect(() => assertMigrationList([{ ...migration, id: '0002-b' }, migration])).toThrow();
    expect(() => assertMigrationList([{ ...migration, id: 'first' }])).toThrow(/must look like/);
  });
});
