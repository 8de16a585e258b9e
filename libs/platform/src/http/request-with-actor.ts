import type { FastifyRequest } from 'fastify';
import type { Actor } from '../domain/actor';

/** A request the actor guard has seen: `actor` is who asks (absent on public routes). */
export type RequestWithActor = FastifyRequest & { actor?: Actor };
