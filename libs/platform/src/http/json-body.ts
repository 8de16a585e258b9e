import type { FastifyInstance } from 'fastify';

/**
 * Deepest JSON nesting a body may have. Every DTO is flat or nearly so; a deeper body is an
 * attack on the recursive walks after parsing (class-transformer overflows the stack near 10 000
 * levels and answered 500).
 */
export const MAX_JSON_DEPTH = 32;

class BodyTooDeep extends Error {
  readonly statusCode = 400;

  constructor() {
    super(`Body is nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
}

class BodyNotWellFormed extends Error {
  readonly statusCode = 400;

  constructor(path: string) {
    super(`Body has a string that is not well-formed Unicode (a lone UTF-16 surrogate) at ${path}`);
  }
}

/** A `\u` escape of a surrogate: the only way a lone one gets into a UTF-8 JSON text. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const isWellFormed = (text: string): boolean => !LONE_SURROGATE.test(text);

/** The path of the first string (value or key) that is not well-formed UTF-16, else null. */
export function illFormedStringPath(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return isWellFormed(value) ? null : path || '(the body)';
  if (typeof value !== 'object' || value === null) return null;
  for (const [key, child] of Object.entries(value)) {
    const childPath = path ? `${path}.${key}` : key;
    if (!isWellFormed(key)) return `a key in ${path || '(the body)'}`;
    const found = illFormedStringPath(child, childPath);
    if (found !== null) return found;
  }
  return null;
}

/** The deepest nesting of `{`/`[` in a JSON text, ignoring brackets inside strings; no recursion. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x7d || c === 0x5d) depth -= 1;
  }
  return deepest;
}

/**
 * Bodies are JSON only: Fastify's JSON parser (which refuses `__proto__` and
 * `constructor.prototype`) behind a depth check, refusing strings that are not well-formed Unicode. No text/plain or form parser, so any other
 * content type answers 415.
 */
export function acceptOnlyJsonBodies(fastify: FastifyInstance): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (jsonDepth(body as string) > MAX_JSON_DEPTH) {
      done(new BodyTooDeep(), undefined);
      return;
    }
    parse(request, body as string, (error, parsed) => {
      // Stored as sent by one driver and as U+FFFD by the other, so refused by both.
      const illFormed =
        !error && SURROGATE_ESCAPE.test(body as string) ? illFormedStringPath(parsed) : null;
      if (illFormed !== null) done(new BodyNotWellFormed(illFormed), undefined);
      else done(error, parsed);
    });
  });
}
