import {
  applyDecorators,
  createParamDecorator,
  ExecutionContext,
  SetMetadata,
} from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';
import { ApiProblems } from '@taskflow/platform';
import type { Actor, RequestWithActor } from '@taskflow/platform';

export const IS_PUBLIC = 'taskflow:public';

/** Opts a route out of the global actor guard. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/** The actor the global guard resolved for this request. */
export const CurrentActor = createParamDecorator((_: unknown, context: ExecutionContext): Actor => {
  const actor = context.switchToHttp().getRequest<RequestWithActor>().actor;
  if (!actor) throw new Error('CurrentActor used on a route without the actor guard');
  return actor;
});

/** OpenAPI: the operation needs a bearer token (or, in dev mode, X-User-ID). */
export const ApiAuthenticated = (): MethodDecorator & ClassDecorator =>
  applyDecorators(ApiBearerAuth('bearer'), ApiSecurity('dev-user-id'), ApiProblems(401));
