import {
  applyDecorators,
  createParamDecorator,
  ExecutionContext,
  SetMetadata,
} from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiSecurity } from '@nestjs/swagger';
import { ApiProblems } from '@taskflow/platform';
import type { Actor, RequestWithActor } from '@taskflow/platform';
import type { ApiKeyScope } from '../domain/api-key';

export const IS_PUBLIC = 'taskflow:public';
export const OPTIONAL_ACTOR = 'taskflow:optional-actor';
/** Which credentials a route takes: an API key scope, `session` only, or `any` credential. */
export const CREDENTIALS = 'taskflow:credentials';
/** The OpenAPI extension that says the same, so a test can find a route that says nothing. */
export const CREDENTIALS_EXTENSION = 'x-credentials';

export const SESSION_ONLY = 'session';
export const ANY_CREDENTIAL = 'any';
export type CredentialRule = ApiKeyScope | typeof SESSION_ONLY | typeof ANY_CREDENTIAL;

const credentials = (rule: CredentialRule | 'public'): MethodDecorator & ClassDecorator =>
  applyDecorators(
    ...(rule === 'public' ? [] : [SetMetadata(CREDENTIALS, rule)]),
    ApiExtension(CREDENTIALS_EXTENSION, rule),
  );

/** Opts a route out of the global actor guard. */
export const Public = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(IS_PUBLIC, true), credentials('public'));

/**
 * A public route that still reads credentials when they are sent (an admin creating an account);
 * without them, or with ones that fail, the route runs with no actor, as any public route.
 */
export const OptionalActor = (): MethodDecorator =>
  applyDecorators(SetMetadata(OPTIONAL_ACTOR, true), Public());

/** An API key needs this scope for the route (a session is limited by its role only). */
export const RequiresScope = (scope: ApiKeyScope): MethodDecorator & ClassDecorator =>
  applyDecorators(credentials(scope), ApiProblems(403));

/** No API key at all: keys, passwords, disable and revoke-sessions need a password session. */
export const SessionOnly = (): MethodDecorator & ClassDecorator =>
  applyDecorators(credentials(SESSION_ONLY), ApiProblems(403));

/** Any credential, whatever its scopes (`GET /me`). */
export const AnyCredential = (): MethodDecorator & ClassDecorator => credentials(ANY_CREDENTIAL);

/** The actor the global guard resolved for this request. */
export const CurrentActor = createParamDecorator((_: unknown, context: ExecutionContext): Actor => {
  const actor = context.switchToHttp().getRequest<RequestWithActor>().actor;
  if (!actor) throw new Error('CurrentActor used on a route without the actor guard');
  return actor;
});

/** OpenAPI: the operation needs a bearer token, an API key (or, in dev mode, X-User-ID). */
export const ApiAuthenticated = (): MethodDecorator & ClassDecorator =>
  applyDecorators(
    ApiBearerAuth('bearer'),
    ApiBearerAuth('api-key'),
    ApiSecurity('dev-user-id'),
    ApiProblems(401),
  );
