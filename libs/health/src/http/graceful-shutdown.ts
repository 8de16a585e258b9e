import { INestApplication, Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import type { Server } from 'node:http';
import { ShutdownState } from '../application/shutdown-state';

/** Counts requests in flight, so shutdown can wait for them. */
@Injectable()
export class GracefulShutdown implements OnModuleInit {
  private inFlight = 0;
  private onIdle: (() => void) | undefined;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly state: ShutdownState,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    fastify?.addHook('onRequest', (_request, reply, done) => {
      this.inFlight += 1;
      // 'close' fires once the response is sent or the client went away, whichever comes first.
      reply.raw.once('close', () => {
        this.inFlight -= 1;
        if (this.inFlight === 0) this.onIdle?.();
      });
      done();
    });
  }

  /**
   * Readiness turns 503 at once; the server keeps serving while requests are in flight. Resolves
   * true when none is left, false when the grace period ran out first.
   */
  drain(graceMs: number): Promise<boolean> {
    this.state.begin();
    if (this.inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.onIdle = undefined;
        resolve(false);
      }, graceMs);
      this.onIdle = () => {
        clearTimeout(timer);
        this.onIdle = undefined;
        resolve(true);
      };
    });
  }
}

/**
 * SIGTERM handling: drain (readiness 503, in-flight requests finish within `graceMs`), then stop
 * listening, cut whatever is still open, and close the application, whose shutdown hooks close
 * the database. Returns whether every request finished in time.
 */
export async function shutDownGracefully(app: INestApplication, graceMs: number): Promise<boolean> {
  const drained = await app.get(GracefulShutdown).drain(graceMs);
  const closing = app.close();
  if (!drained) (app.getHttpServer() as Server).closeAllConnections();
  await closing;
  return drained;
}
