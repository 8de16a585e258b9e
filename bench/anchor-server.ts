/**
 * The anchor for run.ts (forked with IPC): the work of the app's authenticated `GET /tasks/:id`
 * and of its keyed transitions (bench/anchor-work.ts), written by hand on bare Fastify routes
 * (issue 17).
 */
import Fastify, { FastifyReply } from 'fastify';
import { type AnchorRequest, type Task, anchorWork } from './anchor-work';
import { announceListening, runChild } from './child';

async function main(): Promise<void> {
  const work = await anchorWork();
  const app = Fastify({ logger: false, genReqId: work.genReqId });
  const send = (reply: FastifyReply, task: Task, answer = JSON.stringify(work.dto(task))) =>
    reply.header('etag', `"${task.version}"`).type('application/json; charset=utf-8').send(answer);
  /** The actor, or null when the answer (401, 429) has been sent. */
  const authenticate = (request: AnchorRequest, reply: FastifyReply) => {
    const actor = work.authenticate(request, reply);
    if (typeof actor !== 'number') return actor;
    void reply.code(actor).send();
    return null;
  };

  app.addHook('onResponse', work.requestLine);

  app.get<{ Params: { id: string } }>('/tasks/:id', (request: AnchorRequest, reply) => {
    const actor = authenticate(request, reply);
    if (!actor) return reply;
    const task = work.read(actor, (request.params as { id: string }).id);
    return task ? send(reply, task) : reply.code(404).send();
  });

  app.post<{ Params: { id: string; action: string }; Body: Record<string, unknown> }>(
    '/tasks/:id/:action',
    (request, reply) => {
      const actor = authenticate(request, reply);
      if (!actor) return reply;
      const { id, action } = request.params;
      const outcome = work.act(actor, request, id, action, request.body ?? {});
      return outcome.task
        ? send(reply, outcome.task, outcome.answer)
        : reply.code(outcome.status).send();
    },
  );

  app.post<{ Body: { title: string } }>('/tasks', (request, reply) => {
    const actor = authenticate(request, reply);
    if (!actor) return reply;
    return send(reply.code(201), work.create(actor, request.body.title));
  });

  await app.listen({ port: 0, host: '127.0.0.1' });
  announceListening(app.server, () => app.close());
}

runChild(main);
