import { Reflector } from '@nestjs/core';

/** Remembers "no metadata", so a miss costs one map lookup like a hit. */
const ABSENT = Symbol('absent');

/**
 * Nest's Reflector with every (target, key) lookup remembered. Decorator metadata is written when
 * a class is defined and never changes after, so the lookups a guard makes on every request can
 * be answered from memory: most are misses (@Public(), @NoRateLimit() on most routes), which
 * reflect-metadata answers only after walking the prototype chain (bench/README.md).
 */
export class StaticMetadataReflector extends Reflector {
  private readonly cache = new WeakMap<object, Map<unknown, unknown>>();

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Reflector's own signature
  override get(metadataKeyOrDecorator: unknown, target: object): any {
    let known = this.cache.get(target);
    if (known === undefined) {
      known = new Map();
      this.cache.set(target, known);
    }
    const remembered = known.get(metadataKeyOrDecorator);
    if (remembered !== undefined) return remembered === ABSENT ? undefined : remembered;
    const value: unknown = super.get(metadataKeyOrDecorator, target as () => void);
    known.set(metadataKeyOrDecorator, value === undefined ? ABSENT : value);
    return value;
  }
}
