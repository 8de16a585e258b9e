import type { FastifyReply } from 'fastify';

/**
 * A signal that aborts when the client closes its connection before the answer is sent, so a
 * handler that waits (a long-poll) can stop, and not act for a caller that is no longer there.
 */
export function clientGone(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  const response = reply.raw;
  response.once('close', () => {
    if (!response.writableEnded) controller.abort();
  });
  return controller.signal;
}
