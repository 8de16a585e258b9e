import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { RequestWithActor } from '@taskflow/platform';
import type { CommandContext } from '../application/task.service';
import { TaskPreconditionFailed } from '../domain/task-errors';

const STRONG_ETAG = /^"(\d{1,15})"$/;

/** If-Match: `*` or absent asks nothing; a strong ETag names the expected version. */
function expectedVersion(request: RequestWithActor): number | undefined {
  const header = request.headers['if-match'];
  if (header === undefined || header.trim() === '*') return undefined;
  const match = STRONG_ETAG.exec(header.trim());
  if (!match)
    throw new TaskPreconditionFailed(String((request.params as { id?: string }).id ?? ''));
  return Number(match[1]);
}

/** The actor, the request id and the If-Match version, as the service wants them. */
export const Command = createParamDecorator(
  (_: unknown, context: ExecutionContext): CommandContext => {
    const request = context.switchToHttp().getRequest<RequestWithActor>();
    if (!request.actor) throw new Error('Command used on a route without the actor guard');
    return {
      actor: request.actor,
      requestId: String(request.id),
      expectedVersion: expectedVersion(request),
    };
  },
);
