import { illFormedStringPath, jsonDepth } from './json-body';

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

describe('illFormedStringPath', () => {
  it.each([
    ['a lone high surrogate', { title: 'a\ud800' }, 'title'],
    ['a lone low surrogate', { title: '\udc00b' }, 'title'],
    ['reversed surrogates', { a: { b: ['ok', '\ude00\ud83d'] } }, 'a.b.1'],
    ['a key', { nested: { '\ud800': 1 } }, 'a key in nested'],
  ])('finds %s', (_, value, path) => {
    expect(illFormedStringPath(value)).toBe(path);
  });

  it('passes well-formed text, surrogate pairs included', () => {
    expect(illFormedStringPath({ title: 'ship \u{1f680}', list: ['\ud83d\ude00', 1, null] })).toBe(
      null,
    );
  });
});
