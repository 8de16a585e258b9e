import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { RequestWithActor, StaticMetadataReflector } from '@taskflow/platform';
import type { FastifyReply } from 'fastify';
import { ActorResolver } from '../application/actor-resolver';
import { BearerAuthenticator } from '../ports/bearer-authenticator';
import { IS_PUBLIC } from './auth.decorators';

const header = (value: string | string[] | undefined): string | undefined =>
  typeof value === 'string' ? value : undefined;

/**
 * Global guard: every route needs an actor unless it is marked @Public(). An Authorization
 * header means a bearer token, always; X-User-ID is looked at only without one, in dev mode.
 */
@Injectable()
export class ActorGuard implements CanActivate {
  private readonly reflector = new StaticMetadataReflector();

  constructor(
    private readonly bearer: BearerAuthenticator,
    private readonly resolver: ActorResolver,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<RequestWithActor>();
    request.actor =
      request.headers.authorization !== undefined
        ? await this.bearer.authenticate(request, http.getResponse<FastifyReply>())
        : await this.resolver.resolveDevUser(header(request.headers['x-user-id']));
    return true;
  }
}
