import { jsonDepth } from './json-body';

describe('jsonDepth', () => {
  it.each([
    ['a scalar', '1', 0],
    ['an empty object', '{}', 1],
    ['mixed nesting', '{"a":[1,{"b":[]}]}', 4],
    ['siblings', '[[],[[]],[]]', 3],
    ['brackets inside a string', '{"a":"[[[[{{{{"}', 1],
    ['an escaped quote inside a string', '{"a":"\\"[[["}', 1],
    ['an escaped backslash ending a string', '{"a":"\\\\","b":[[]]}', 3],
    ['100 000 levels', `${'['.repeat(100_000)}${']'.repeat(100_000)}`, 100_000],
  ])('measures %s', (_, text, depth) => {
    expect(jsonDepth(text)).toBe(depth);
  });
});
