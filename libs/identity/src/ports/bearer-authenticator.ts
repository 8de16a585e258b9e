import type { Actor } from '@taskflow/platform/domain';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Turns a request's `Authorization: Bearer` token into its actor, or fails Unauthenticated. */
export abstract class BearerAuthenticator {
  abstract authenticate(request: FastifyRequest, reply: FastifyReply): Promise<Actor>;
}
