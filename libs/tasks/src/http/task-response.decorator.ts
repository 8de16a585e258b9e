import { Res } from '@nestjs/common';
import { freeParameterIndex, wrapHandler } from '@taskflow/platform';
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

/**
 * The handler returns the Task; the answer is its TaskDto with the version's ETag (and a
 * Location for a create). The decorator adds the reply parameter and wraps the method itself,
 * so no handler takes `@Res()`, and a GET pays no interceptor pipeline (see `Idempotent()`).
 * The wrapper keeps the handler's metadata, so decorators may stand in any order (wrapHandler).
 */
export const TaskResponse =
  (options: TaskResponseOptions = {}): MethodDecorator =>
  (target, key, descriptor) => {
    const replyAt = freeParameterIndex(target, key);
    Res({ passthrough: true })(target, key, replyAt);
    wrapHandler(descriptor as PropertyDescriptor, {
      wrap: (handler) =>
        async function (this: unknown, ...args: unknown[]): Promise<TaskDto | void> {
          const task = (await handler.apply(this, args)) as Task;
          const reply = args[replyAt] as FastifyReply;
          if (options.location) void reply.header('location', `/tasks/${task.id}`);
          void reply.header('etag', etagOf(task.version));
          return options.body === false ? undefined : TaskDto.from(task);
        },
    });
    return descriptor;
  };
