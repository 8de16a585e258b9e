import { createHash } from 'node:crypto';

/**
 * A step of a migration. Steps are data, not code, so a migration's checksum is the same however
 * the file was compiled, and `down` is the steps undone in reverse.
 */
export interface IndexStep {
  readonly createIndex: {
    readonly collection: string;
    readonly name: string;
    readonly keys: Readonly<Record<string, 1 | -1>>;
    readonly unique?: boolean;
    /** A TTL index where the server has them; elsewhere a plain index (expiry is checked on read). */
    readonly expireAfterSeconds?: number;
  };
}

/**
 * Gives the documents that lack `field` a stamp from their date `from`, in microseconds since the
 * epoch; within each `group.by`, taken in `group.order`, a stamp is above the one before, so a
 * group keeps its order when dates disagree with it. Undoing it leaves the stamps.
 */
export interface StampStep {
  readonly stampDocuments: {
    readonly collection: string;
    readonly field: string;
    readonly from: string;
    readonly group: { readonly by: string; readonly order: string };
  };
}

export type MigrationStep = IndexStep | StampStep;

export const isIndexStep = (step: MigrationStep): step is IndexStep => 'createIndex' in step;

export interface Migration {
  /** `NNNN-words`; migrations apply in id order. */
  readonly id: string;
  readonly description: string;
  readonly steps: readonly MigrationStep[];
}

/** JSON with keys sorted, so reordering keys in a migration file does not change its checksum. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function checksumOf(migration: Migration): string {
  return createHash('sha256')
    .update(canonical({ id: migration.id, steps: migration.steps }))
    .digest('hex');
}

/** Checks the list a runner is given: ids well formed, unique and in order. */
export function assertMigrationList(migrations: readonly Migration[]): void {
  let previous = '';
  for (const migration of migrations) {
    if (!/^\d{4}-[a-z0-9-]+$/.test(migration.id)) {
      throw new Error(`Migration id ${migration.id} must look like 0001-words-with-dashes`);
    }
    if (migration.id <= previous) {
      throw new Error(`Migration ${migration.id} is out of order or repeated (after ${previous})`);
    }
    previous = migration.id;
  }
}
