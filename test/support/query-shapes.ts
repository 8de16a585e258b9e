import type { RecordedCommand } from './mongo';

/** What an index must do for one query: match these fields, then give this order. */
export interface QueryShape {
  readonly collection: string;
  readonly equality: readonly string[];
  readonly ranges: readonly string[];
  readonly sort: readonly [string, number][];
}

export type IndexKeys = readonly [string, number][];

const RANGE = ['$gt', '$gte', '$lt', '$lte'];

/** The shapes of a filter; each `$or` branch is a query of its own for the planner. */
function filterShapes(filter: Record<string, unknown>): { equality: string[]; ranges: string[] }[] {
  let shapes = [{ equality: [] as string[], ranges: [] as string[] }];
  for (const [field, condition] of Object.entries(filter)) {
    if (field === '$and') {
      for (const part of condition as Record<string, unknown>[]) {
        const parts = filterShapes(part);
        shapes = shapes.flatMap((s) =>
          parts.map((p) => ({
            equality: [...s.equality, ...p.equality],
            ranges: [...s.ranges, ...p.ranges],
          })),
        );
      }
      continue;
    }
    if (field === '$or') {
      const branches = (condition as Record<string, unknown>[]).flatMap(filterShapes);
      shapes = shapes.flatMap((s) =>
        branches.map((b) => ({
          equality: [...s.equality, ...b.equality],
          ranges: [...s.ranges, ...b.ranges],
        })),
      );
      continue;
    }
    const operators =
      condition !== null && typeof condition === 'object' && !(condition instanceof Date)
        ? Object.keys(condition).filter((key) => key.startsWith('$'))
        : [];
    for (const shape of shapes) {
      if (operators.length === 0 || operators.includes('$eq') || operators.includes('$in')) {
        shape.equality.push(field);
      } else if (operators.some((op) => RANGE.includes(op))) {
        shape.ranges.push(field);
      }
    }
  }
  return shapes;
}

/** Every query shape one command carries (none for inserts). */
export function shapesOf(recorded: RecordedCommand): QueryShape[] {
  const { name, collection, command } = recorded;
  if (collection === null) return [];
  const make = (filter: unknown, sort?: unknown): QueryShape[] =>
    filterShapes((filter ?? {}) as Record<string, unknown>).map((shape) => ({
      collection,
      ...shape,
      // The driver sends a sort as a Map.
      sort:
        sort instanceof Map
          ? [...(sort as Map<string, number>).entries()]
          : Object.entries((sort ?? {}) as Record<string, number>),
    }));
  switch (name) {
    case 'find':
      return make(command.filter, command.sort);
    case 'count':
    case 'distinct':
      return make(command.query);
    case 'findAndModify':
      return make(command.query, command.sort);
    case 'update':
      return (command.updates as { q: unknown }[]).flatMap((u) => make(u.q));
    case 'delete':
      return (command.deletes as { q: unknown }[]).flatMap((d) => make(d.q));
    case 'aggregate': {
      const [first, second] = command.pipeline as Record<string, unknown>[];
      return make(first?.$match, second?.$sort);
    }
    default:
      return [];
  }
}

/**
 * Whether an index serves the shape without a collection scan or an in-memory sort: its leading
 * fields are matched by equality (at least one, when the query has any), then come the sort keys.
 * `flags` are fields nearly every document matches (a soft-delete marker), checked on fetch.
 */
export function serves(
  index: IndexKeys,
  shape: QueryShape,
  flags: readonly string[] = [],
): boolean {
  const equality = shape.equality.filter((field) => !flags.includes(field));
  let prefix = 0;
  while (prefix < index.length && equality.includes(index[prefix][0])) prefix += 1;
  const rest = index.slice(prefix);
  // A sort key the query fixes by equality (a keyset's tie branch) needs no order from the index.
  const sort = shape.sort.filter(([field]) => !equality.includes(field));
  if (sort.length > 0) {
    if (rest.length < sort.length) return false;
    const same = sort.every(([f, d], i) => rest[i][0] === f && rest[i][1] === d);
    const reversed = sort.every(([f, d], i) => rest[i][0] === f && rest[i][1] === -d);
    if (!same && !reversed) return false;
  }
  if (equality.length > 0) return prefix > 0;
  const first = index[0][0];
  return shape.ranges.includes(first) || sort.some(([field]) => field === first);
}

export const describeShape = (shape: QueryShape): string =>
  `${shape.collection} eq(${shape.equality.join(',')}) range(${shape.ranges.join(',')}) sort(${shape.sort
    .map(([f, d]) => `${f}:${d}`)
    .join(',')})`;
