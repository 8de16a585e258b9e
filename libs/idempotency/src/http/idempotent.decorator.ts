import { Inject, Req, UseGuards } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import { freeParameterIndex, wrapHandler } from '@taskflow/platform';
import { httpCodeOf, IdempotencyKeyGuard, IdempotentHandling } from './idempotent-handler';

/** The OpenAPI extension that marks an operation for documentIdempotencyKeys (then removed). */
export const IDEMPOTENT_EXTENSION = 'x-idempotent';

/** Where the controller gets IdempotentHandling (property injection, set up by @Idempotent()). */
const HANDLING = '__idempotentHandling';

/**
 * Honours Idempotency-Key on this POST or PATCH. Bound per route, not globally, and not as a Nest
 * interceptor: an interceptor puts its request through rxjs (`defer`, `mergeAll`,
 * `lastValueFrom`), a tenth of the CPU of a GET when it was global and several percent of a keyed
 * write (bench/README.md). So a guard reads the key before any pipe (IdempotencyKeyGuard), and
 * the handler itself is wrapped: the decorator adds a `@Req()` parameter and runs the handler
 * through IdempotentHandling, around every other wrapper (wrapHandler), so that it stores the
 * answer as sent.
 *
 * The OpenAPI document lists the header exactly where this decorator is, and an e2e test sends a
 * bad key to every authenticated POST and PATCH of that document, so a write without it cannot go
 * unnoticed.
 */
export const Idempotent = (): MethodDecorator => (target, key, descriptor) => {
  UseGuards(IdempotencyKeyGuard)(target, key, descriptor);
  ApiExtension(IDEMPOTENT_EXTENSION, true)(target, key, descriptor);
  Inject(IdempotentHandling)(target, HANDLING);
  const requestAt = freeParameterIndex(target, key);
  Req()(target, key, requestAt);
  // Nest reads @HttpCode() from the method as finally decorated; so does the stored answer.
  let status: (() => number | undefined) | undefined;
  wrapHandler(descriptor as PropertyDescriptor, {
    outermost: true,
    wrap: (handler) =>
      function (this: unknown, ...args: unknown[]): Promise<unknown> {
        const request = args[requestAt] as Parameters<typeof IdempotentHandling.keyed>[0];
        if (!IdempotentHandling.keyed(request)) return handler.apply(this, args);
        const controller = this as Record<string | symbol, unknown>;
        status ??= () => httpCodeOf(controller[key] as object);
        return (controller[HANDLING] as IdempotentHandling).run(request, status, () =>
          handler.apply(this, args),
        );
      },
  });
  return descriptor;
};
