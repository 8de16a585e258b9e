import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ActorResolver } from '../application/actor-resolver';
import { IS_PUBLIC, RequestWithActor } from './auth.decorators';

const header = (value: string | string[] | undefined): string | undefined =>
  typeof value === 'string' ? value : undefined;

/** Global guard: every route needs an actor unless it is marked @Public(). */
@Injectable()
export class ActorGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly resolver: ActorResolver,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<RequestWithActor>();
    request.actor = await this.resolver.resolve({
      authorization: header(request.headers.authorization),
      devUserId: header(request.headers['x-user-id']),
    });
    return true;
  }
}
