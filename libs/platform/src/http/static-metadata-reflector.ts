import type { ExecutionContext } from '@nestjs/common';
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

/** A route: its handler and its controller class, as Nest's execution context names them. */
type RouteTargets = [
  handler: ReturnType<ExecutionContext['getHandler']>,
  controller: ReturnType<ExecutionContext['getClass']>,
];

/**
 * What a guard derives from a route's decorators, derived once per route and remembered (bench/
 * README.md, issue 17): a per-request lookup allocated the targets' array and asked the
 * reflector once per key. Decorator metadata never changes once a class is defined. Keyed by the
 * handler; a handler shared by two controllers (an inherited method) is derived again when the
 * controller differs, so the answer is always that of the route at hand.
 */
export class RouteMetadata<T> {
  private readonly reflector = new Reflector();
  private readonly byHandler = new WeakMap<
    object,
    { readonly controller: object; readonly value: T }
  >();

  constructor(private readonly derive: (targets: RouteTargets, reflector: Reflector) => T) {}

  of(context: ExecutionContext): T {
    const handler = context.getHandler();
    const controller = context.getClass();
    const known = this.byHandler.get(handler);
    if (known !== undefined && known.controller === controller) return known.value;
    const value = this.derive([handler, controller], this.reflector);
    this.byHandler.set(handler, { controller, value });
    return value;
  }
}
