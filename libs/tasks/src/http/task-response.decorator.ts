import { Res } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import type { FastifyReply } from 'fastify';
import type { Task } from '../domain/task.entity';
import { TaskDto } from './task.dto';

/** The ETag of a task version; strong, so If-Match can compare it. */
export const etagOf = (version: number): string => `"${version}"`;

export interface TaskResponseOptions {
  /** Also say where the task lives (a create). */
  readonly location?: boolean;
  /** Answer without a body (a delete's 204): the ETag only. */
  readonly body?: boolean;
}

type Handler = (...args: unknown[]) => Promise<Task>;

/** The first parameter index the handler's own parameters leave free. */
function freeParameterIndex(target: object, key: string | symbol): number {
  const declared = (Reflect.getMetadata('design:paramtypes', target, key) as unknown[]) ?? [];
  const routeArgs: Record<string, { index: number }> =
    Reflect.getMetadata(ROUTE_ARGS_METADATA, target.constructor, key) ?? {};
  return Math.max(declared.length, ...Object.values(routeArgs).map((arg) => arg.index + 1));
}

/**
 * The handler returns the Task; the answer is its TaskDto with the version's ETag (and a
 * Location for a create). The decorator adds the reply parameter and wraps the method itself,
 * so no handler takes `@Res()`, and a GET pays no interceptor pipeline (see `Idempotent()`).
 * The wrapper keeps the handler's metadata, so decorators may stand in any order.
 */
export const TaskResponse =
  (options: TaskResponseOptions = {}): MethodDecorator =>
  (target, key, descriptor) => {
    const handler = descriptor.value as unknown as Handler;
    const replyAt = freeParameterIndex(target, key);
    Res({ passthrough: true })(target, key, replyAt);
    const respond = async function (this: unknown, ...args: unknown[]): Promise<TaskDto | void> {
      const task = await handler.apply(this, args);
      const reply = args[replyAt] as FastifyReply;
      if (options.location) void reply.header('location', `/tasks/${task.id}`);
      void reply.header('etag', etagOf(task.version));
      return options.body === false ? undefined : TaskDto.from(task);
    };
    for (const name of Reflect.getOwnMetadataKeys(handler)) {
      Reflect.defineMetadata(name, Reflect.getMetadata(name, handler), respond);
    }
    Object.defineProperty(respond, 'name', { value: handler.name });
    (descriptor as PropertyDescriptor).value = respond;
    return descriptor;
  };
