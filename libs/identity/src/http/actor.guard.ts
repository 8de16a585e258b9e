import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { Actor, RequestWithActor, RouteMetadata } from '@taskflow/platform';
import type { FastifyReply } from 'fastify';
import { ActorResolver } from '../application/actor-resolver';
import { ApiKeyService } from '../application/api-key.service';
import { API_KEY_PREFIX } from '../domain/api-key';
import { InsufficientScope, SessionRequired } from '../domain/scope';
import { BearerAuthenticator } from '../ports/bearer-authenticator';
import {
  ANY_CREDENTIAL,
  CREDENTIALS,
  CredentialRule,
  IS_PUBLIC,
  OPTIONAL_ACTOR,
  SESSION_ONLY,
} from './auth.decorators';

const header = (value: string | string[] | undefined): string | undefined =>
  typeof value === 'string' ? value : undefined;

const KEY_BEARER = `Bearer ${API_KEY_PREFIX}`;

/**
 * Global guard: every route needs an actor unless it is marked @Public(). An Authorization
 * header means a bearer token (a JWT, or an API key when it starts `tfk_`), always; X-User-ID is
 * looked at only without one, in dev mode. An API key's scopes are checked here, the one place,
 * against the route's @RequiresScope() / @SessionOnly() / @AnyCredential(); a route that
 * declares none takes no key.
 */
@Injectable()
export class ActorGuard implements CanActivate {
  /** The route's rules, read from its decorators once per route (RouteMetadata). */
  private readonly rules = new RouteMetadata((targets, reflector) => ({
    isPublic: reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) === true,
    optional: reflector.getAllAndOverride<boolean>(OPTIONAL_ACTOR, targets) === true,
    credentials: reflector.getAllAndOverride<CredentialRule>(CREDENTIALS, targets),
  }));

  constructor(
    private readonly bearer: BearerAuthenticator,
    private readonly resolver: ActorResolver,
    private readonly apiKeys: ApiKeyService,
  ) {}

  canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    return this.admit(
      context,
      http.getRequest<RequestWithActor>(),
      http.getResponse<FastifyReply>(),
    ).then(() => true);
  }

  /** canActivate for a caller that has the request and reply already (the pipeline guard). */
  async admit(
    context: ExecutionContext,
    request: RequestWithActor,
    reply: FastifyReply,
  ): Promise<void> {
    const rules = this.rules.of(context);
    if (rules.isPublic) {
      if (rules.optional && request.headers.authorization !== undefined) {
        // Credentials that fail give no actor, as before the route read them: it stays public.
        request.actor = await this.authenticate(request, reply).catch(() => undefined);
      }
      return;
    }
    const actor = await this.authenticate(request, reply);
    request.actor = actor;
    // The trace says who and through what: an API key by its id only.
    trace
      .getActiveSpan()
      ?.setAttributes({ 'enduser.id': actor.id, 'taskflow.via': actor.via ?? 'session' });
    if (actor.scopes !== undefined) assertKeyMayUse(actor, rules.credentials);
  }

  private authenticate(request: RequestWithActor, reply: FastifyReply): Promise<Actor> {
    const authorization = request.headers.authorization;
    if (authorization === undefined) {
      return this.resolver.resolveDevUser(header(request.headers['x-user-id']));
    }
    return authorization.startsWith(KEY_BEARER)
      ? this.apiKeys.authenticate(authorization.slice('Bearer '.length))
      : this.bearer.authenticate(request, reply);
  }
}

function assertKeyMayUse(actor: Actor, rule: CredentialRule | undefined): void {
  if (rule === ANY_CREDENTIAL) return;
  if (rule === undefined || rule === SESSION_ONLY) throw new SessionRequired();
  if (!actor.scopes?.includes(rule)) throw new InsufficientScope(rule);
}
