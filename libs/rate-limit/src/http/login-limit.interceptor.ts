import {
  applyDecorators,
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  UseInterceptors,
} from '@nestjs/common';
import { problemResponse } from '@taskflow/platform';
import type { FastifyRequest } from 'fastify';
import { from, lastValueFrom, Observable } from 'rxjs';
import { LoginLimits } from '../application/login-limits';
import { loginTarget } from '../domain/login-limits';

/**
 * The per-account step of a login route: it needs the login's outcome (a success makes the
 * address a known client, a wrong password makes it failing), so it wraps the handler.
 */
@Injectable()
export class LoginLimitInterceptor implements NestInterceptor {
  constructor(private readonly limits: LoginLimits) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const account = loginTarget(request.body);
    if (!this.limits.enabled || account === null) return next.handle();
    return from(this.attempt(request, account, next));
  }

  private async attempt(request: FastifyRequest, account: string, next: CallHandler) {
    const address = `ip:${request.ip}`;
    await this.limits.admit(account, address);
    try {
      const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
      await this.limits.succeeded(account, address);
      return body;
    } catch (error) {
      if (problemResponse(error, request).status === 401)
        await this.limits.failed(account, address);
      throw error;
    }
  }
}

/** Limits guesses at the account a login names, without letting a stranger lock it out. */
export const LimitLoginAttempts = (): MethodDecorator =>
  applyDecorators(UseInterceptors(LoginLimitInterceptor)) as MethodDecorator;
