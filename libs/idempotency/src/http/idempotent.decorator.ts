import { applyDecorators, UseInterceptors } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import { IdempotencyInterceptor } from './idempotency.interceptor';

/** The OpenAPI extension that marks an operation for documentIdempotencyKeys (then removed). */
export const IDEMPOTENT_EXTENSION = 'x-idempotent';

/**
 * Honours Idempotency-Key on this POST or PATCH. Bound per route, not globally: a global Nest
 * interceptor puts every request (reads included) through an rxjs pipeline, about a tenth of the
 * CPU of a GET in the benchmark profile (bench/README.md). The OpenAPI document lists the header
 * exactly where this decorator is, and an e2e test sends a bad key to every authenticated POST
 * and PATCH of that document, so a write without it cannot go unnoticed.
 */
export const Idempotent = (): MethodDecorator =>
  applyDecorators(
    UseInterceptors(IdempotencyInterceptor),
    ApiExtension(IDEMPOTENT_EXTENSION, true),
  ) as MethodDecorator;
