import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { Actor, RequestWithActor, StaticMetadataReflector } from '@taskflow/platform';
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
  private readonly reflector = new StaticMetadataReflector();

  constructor(
    private readonly bearer: BearerAuthenticator,
    private readonly resolver: ActorResolver,
    private readonly apiKeys: ApiKeyService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const http = context.switchToHttp();
    const request = http.getRequest<RequestWithActor>();
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) {
      const optional = this.reflector.getAllAndOverride<boolean>(OPTIONAL_ACTOR, targets);
      if (optional && request.headers.authorization !== undefined) {
        // Credentials that fail give no actor, as before the route read them: it stays public.
        request.actor = await this.authenticate(request, http.getResponse<FastifyReply>()).catch(
          () => undefined,
        );
      }
      return true;
    }
    const actor = await this.authenticate(request, http.getResponse<FastifyReply>());
    request.actor = actor;
    // The trace says who and through what: an API key by its id only.
    trace
      .getActiveSpan()
      ?.setAttributes({ 'enduser.id': actor.id, 'taskflow.via': actor.via ?? 'session' });
    if (actor.scopes !== undefined) {
      assertKeyMayUse(
        actor,
        this.reflector.getAllAndOverride<CredentialRule>(CREDENTIALS, targets),
      );
    }
    return true;
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
