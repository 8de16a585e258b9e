import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';

/** A route handler as the wrapping decorators see it. */
export type RouteHandler = (this: unknown, ...args: unknown[]) => Promise<unknown>;

/** One wrapper of a route handler; `outermost` ones run around all the others. */
export interface HandlerWrapper {
  readonly wrap: (handler: RouteHandler) => RouteHandler;
  readonly outermost?: boolean;
}

const LAYERS = Symbol('handler wrappers');

type Layered = RouteHandler & {
  [LAYERS]?: { readonly original: RouteHandler; readonly wrappers: readonly HandlerWrapper[] };
};

/**
 * Wraps a route handler in place of a Nest interceptor (which would put every request through
 * rxjs): `@TaskResponse()` turns the Task into its answer, `@Idempotent()` stores that answer.
 * Decorators apply in an order that depends on how they are listed (bottom-up on a method,
 * first-to-last in applyDecorators), so the wrappers are kept with the original handler and
 * composed again each time, the `outermost` ones last, whatever the order. The composed
 * function keeps the metadata set so far, so Nest's own decorators may stand anywhere.
 */
export function wrapHandler(descriptor: PropertyDescriptor, wrapper: HandlerWrapper): void {
  const current = descriptor.value as Layered;
  const { original, wrappers } = current[LAYERS] ?? { original: current, wrappers: [] };
  const all = [...wrappers, wrapper];
  const ordered = [...all.filter((w) => !w.outermost), ...all.filter((w) => w.outermost)];
  const composed = ordered.reduce((handler, w) => w.wrap(handler), original) as Layered;
  for (const name of Reflect.getOwnMetadataKeys(current)) {
    Reflect.defineMetadata(name, Reflect.getMetadata(name, current), composed);
  }
  Object.defineProperty(composed, 'name', { value: original.name });
  composed[LAYERS] = { original, wrappers: all };
  descriptor.value = composed;
}

/** The first parameter index a handler's own parameters (and those added so far) leave free. */
export function freeParameterIndex(target: object, key: string | symbol): number {
  const declared = (Reflect.getMetadata('design:paramtypes', target, key) as unknown[]) ?? [];
  const routeArgs: Record<string, { index: number }> =
    Reflect.getMetadata(ROUTE_ARGS_METADATA, target.constructor, key) ?? {};
  return Math.max(declared.length, ...Object.values(routeArgs).map((arg) => arg.index + 1));
}
