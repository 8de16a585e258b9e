import { ALICE, as, ensureStatus, expectValidationErrors, useTestApp } from '../support/api';
import { createTask } from '../support/tasks';
import { TEST_DRIVERS } from '../support/test-app';

/** mulberry32: a small seeded PRNG, so a failure can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEEDS = [
  '2024-01-01T00:00:00Z',
  '2024-02-29T23:59:59.999+14:00',
  '2024-W01-1',
  '20240101T000000Z',
  '2024-01-01T10,5Z',
  '2024-01-01T00Z',
  '2024-001',
  '+275760-09-13T00:00:00Z',
];
const ALPHABET = '0123456789-+:.,TZtzW W\u0000\u00e9\u{1f680}Ee';

/** Random strings, and date-like ones with characters replaced, inserted, deleted or doubled. */
function generatedStrings(seed: number, count: number): string[] {
  const random = prng(seed);
  const pick = <T>(items: readonly T[] | string): T =>
    items[Math.floor(random() * items.length)] as T;
  const out: string[] = [];
  while (out.length < count) {
    if (random() < 0.25) {
      const length = Math.floor(random() * 30);
      out.push(Array.from({ length }, () => pick<string>(ALPHABET)).join(''));
      continue;
    }
    let text: string = pick(SEEDS);
    for (let edits = Math.floor(random() * 4); edits > 0; edits -= 1) {
      const at = Math.floor(random() * (text.length + 1));
      const op = random();
      const digit = String(Math.floor(random() * 10));
      // A digit for a digit often stays a date, and finds the edges of each field's range.
      if (op < 0.3 && /\d/.test(text[at] ?? ''))
        text = text.slice(0, at) + digit + text.slice(at + 1);
      else if (op < 0.5) text = text.slice(0, at) + pick<string>(ALPHABET) + text.slice(at + 1);
      else if (op < 0.7) text = text.slice(0, at) + pick<string>(ALPHABET) + text.slice(at);
      else if (op < 0.9) text = text.slice(0, at) + text.slice(at + 1);
      else text = text.slice(0, at) + text.slice(at, at + 3) + text.slice(at);
    }
    out.push(text);
  }
  return out;
}

describe.each(TEST_DRIVERS)('due_at (%s driver)', (driver) => {
  const app = useTestApp(driver);

  it.each([
    ['an ISO week date', '2024-W01-1'],
    ['the ISO basic format', '20240101T000000Z'],
    ['a decimal comma', '2024-01-01T10,5Z'],
    ['hours only', '2024-01-01T00Z'],
    ['a date-time without an offset', '2030-01-01T10:00:00'],
    ['a day that does not exist', '2030-02-30T10:00:00Z'],
  ])('refuses %s in POST /tasks and PATCH with 400 naming due_at', async (_, dueAt) => {
    const t = app();
    expectValidationErrors(
      await t.http().post('/tasks').set(as(ALICE)).send({ title: 'x', due_at: dueAt }),
      ['due_at'],
    );
    const task = await createTask(t);
    expectValidationErrors(
      await t.http().patch(`/tasks/${task.id}`).set(as(ALICE)).send({ due_at: dueAt }),
      ['due_at'],
    );
  });

  it('reads an offset as the instant it names', async () => {
    const res = await app()
      .http()
      .post('/tasks')
      .set(as(ALICE))
      .send({ title: 'x', due_at: '2030-01-01T12:30:00.5+02:00' });
    ensureStatus(res, 201);
    expect(res.body.due_at).toBe('2030-01-01T10:30:00.500Z');
  });

  it('never answers 500 to a generated due_at (seeded, 150 strings)', async () => {
    const t = app();
    const task = await createTask(t);
    const strings = generatedStrings(0x16_0001, 150);
    const outcomes: { value: string; create: number; patch: number }[] = [];
    for (const value of strings) {
      const created = await t
        .http()
        .post('/tasks')
        .set(as(ALICE))
        .send({ title: 'x', due_at: value });
      const patched = await t
        .http()
        .patch(`/tasks/${task.id}`)
        .set(as(ALICE))
        .send({ due_at: value });
      outcomes.push({ value, create: created.status, patch: patched.status });
      if (created.status === 201) {
        // Whatever is accepted is the instant the string names.
        expect(created.body.due_at).toBe(new Date(value).toISOString());
      }
    }
    const unexpected = outcomes.filter(
      (o) => ![201, 400].includes(o.create) || ![200, 400].includes(o.patch),
    );
    expect(unexpected).toEqual([]);
    // The generator must reach both sides of the check, or it proves nothing.
    expect(outcomes.some((o) => o.create === 201)).toBe(true);
    expect(outcomes.some((o) => o.create === 400)).toBe(true);
  }, 60_000);
});
