import type { ArgumentMetadata } from '@nestjs/common';
import { createValidationPipe, RequestValidationError } from '@taskflow/platform';
import {
  ActionDto,
  AssignDto,
  ClaimDto,
  ClaimNextDto,
  CreateTaskDto,
  HeartbeatDto,
  ListTasksQuery,
  RejectDto,
  UpdateTaskDto,
} from './task.dto';

/**
 * The global pipe answers a valid body of a plain DTO without class-transformer and the
 * validation executor (FastValidator, bench/README.md issue 17). Whatever it answers must be what
 * the usual path answers: the same instance for a valid body, the same 400 (detail and errors,
 * in order) for a bad one. Both pipes are run on a corpus of generated bodies per hot DTO.
 */
const fast = createValidationPipe();
const usual = createValidationPipe({ fastPath: false });

const FIELDS = new Map<new () => object, readonly string[]>([
  [ActionDto, ['comment']],
  [AssignDto, ['comment', 'assignee_id']],
  [RejectDto, ['comment', 'reason']],
  [ClaimDto, ['lease_seconds']],
  [HeartbeatDto, ['lease_seconds']],
  [ClaimNextDto, ['lease_seconds', 'open_to', 'priority', 'wait']],
  [CreateTaskDto, ['title', 'description', 'priority', 'due_at', 'reviewer_id', 'open', 'open_to']],
  [UpdateTaskDto, ['title', 'description', 'priority', 'due_at', 'reviewer_id']],
]);

/** JSON values near every rule's edges (a missing key is drawn separately). */
const VALUES: readonly unknown[] = [
  null,
  '',
  ' ',
  '\t\n',
  'x',
  'Done',
  'u_bob',
  'a'.repeat(64),
  'a'.repeat(65),
  'a'.repeat(200),
  'a'.repeat(201),
  'b'.repeat(5000),
  'b'.repeat(5001),
  'c'.repeat(10_001),
  0,
  -1,
  1.5,
  29,
  30,
  31,
  86_400,
  86_401,
  1e308,
  true,
  false,
  'true',
  '30',
  'low',
  'high',
  'urgent',
  'any',
  'agents',
  'people',
  'nope',
  '2026-05-01T09:30:00Z',
  '2026-05-01T09:30:00.250+02:00',
  '2026-02-30T09:30:00Z',
  '2026-05-01 09:30:00',
  [],
  ['high'],
  ['high', 'low'],
  ['high', 'nope'],
  [1],
  [null],
  [['high']],
  {},
  { a: 1 },
];

/** Strides through VALUES, one per field, so the bodies mix the values of every field. */
const STRIDES = [1, 5, 7, 11, 13, 17, 19, 23];
const EXTRA_KEYS = ['extra', 'id', 'status', 'Comment'];

function corpus(fields: readonly string[], size: number): string[] {
  const bodies = new Set<string>(['{}']);
  // Each field alone with each value: every rule's edge on its own.
  for (const field of fields) {
    for (const value of VALUES) bodies.add(JSON.stringify({ [field]: value }));
  }
  // Then mixes: field j of body i takes value i × stride j (the last index leaves it out), and
  // every 20th body carries a key the DTO does not have.
  const choices = VALUES.length + 1;
  for (let i = 0; bodies.size < size && i < size * 10; i++) {
    const body: Record<string, unknown> = {};
    fields.forEach((field, j) => {
      const at = (i * STRIDES[j] + j * (i >> 6)) % choices;
      if (at < VALUES.length) body[field] = VALUES[at];
    });
    if (i % 20 === 0) body[EXTRA_KEYS[(i / 20) % EXTRA_KEYS.length]] = VALUES[i % VALUES.length];
    bodies.add(JSON.stringify(body));
  }
  return [...bodies];
}

type Outcome =
  | { valid: true; type: string; fields: [string, unknown][] }
  | { valid: false; detail: string; errors: unknown };

async function outcome(
  pipe: ReturnType<typeof createValidationPipe>,
  value: unknown,
  metadata: ArgumentMetadata,
): Promise<Outcome> {
  try {
    const result = (await pipe.transform(value, metadata)) as object;
    return { valid: true, type: result.constructor.name, fields: Object.entries(result) };
  } catch (error) {
    if (!(error instanceof RequestValidationError)) throw error;
    return { valid: false, detail: error.message, errors: error.errors };
  }
}

const body = (metatype: new () => object): ArgumentMetadata => ({ type: 'body', metatype });

describe('the validation pipe with and without its fast path', () => {
  it.each([...FIELDS].map(([metatype, fields]) => [metatype.name, metatype, fields] as const))(
    'answers every body of %s as the usual path does',
    async (_name, metatype, fields) => {
      let valid = 0;
      let invalid = 0;
      for (const text of corpus(fields, 1500)) {
        // Each pipe gets its own copy: the usual path edits the value it is given.
        const expected = await outcome(usual, JSON.parse(text), body(metatype));
        expect({ text, ...(await outcome(fast, JSON.parse(text), body(metatype))) }).toEqual({
          text,
          ...expected,
        });
        if (expected.valid) valid++;
        else invalid++;
      }
      // The corpus holds both kinds, so each path is compared on what it answers.
      expect(valid).toBeGreaterThan(2);
      expect(invalid).toBeGreaterThan(200);
    },
  );

  it.each([undefined, null, 'text', 5, true, [], [{}], ['high']])(
    'answers a body that is %p as the usual path does',
    async (value) => {
      for (const metatype of FIELDS.keys()) {
        expect(await outcome(fast, value, body(metatype))).toEqual(
          await outcome(usual, value, body(metatype)),
        );
      }
    },
  );

  it('keeps the query DTOs whose values class-transformer changes on the usual path', async () => {
    const query: ArgumentMetadata = { type: 'query', metatype: ListTasksQuery };
    // @Transform splits the list: a copy as it came would be refused (IsArray).
    const value = { status: 'assigned,in_progress', limit: '10' };
    const result = (await fast.transform({ ...value }, query)) as ListTasksQuery;
    expect(result).toBeInstanceOf(ListTasksQuery);
    expect(result.status).toEqual(['assigned', 'in_progress']);
    expect(await outcome(fast, { ...value }, query)).toEqual(
      await outcome(usual, { ...value }, query),
    );
  });
});
