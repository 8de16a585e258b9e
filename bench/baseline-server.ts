/**
 * Baselines for run.ts, in their own process (forked with IPC):
 *  - ceiling: a bare Fastify server whose one route answers the body in BENCH_BODY_FILE (a task
 *    as our API answers it, byte for byte): what Node and Fastify alone can do here;
 *  - database (BENCH_MONGO_URI set): the same route first sends, through mongoose, the commands
 *    our GET /tasks/:id sends — read the account, `$inc` the rate-limit counter, read the task —
 *    so the pair measures our overhead over the database, not the database.
 */
import Fastify from 'fastify';
import mongoose from 'mongoose';
import { readFileSync } from 'node:fs';
import { announceListening, runChild } from './child';

async function main(): Promise<void> {
  const body = readFileSync(process.env.BENCH_BODY_FILE as string, 'utf8');
  const uri = process.env.BENCH_MONGO_URI;
  const taskId = process.env.BENCH_TASK_ID ?? '';
  const accountId = process.env.BENCH_ACCOUNT_ID ?? '';
  const connection = uri ? await mongoose.createConnection(uri).asPromise() : null;

  const app = Fastify({ logger: false });
  app.get('/tasks/:id', async (_request, reply) => {
    if (connection) {
      const windowIndex = Math.floor(Date.now() / 60_000);
      await connection.collection('accounts').findOne({ _id: accountId as never });
      const hit = () =>
        connection
          .collection('rate_limit_counters')
          .findOneAndUpdate(
            { _id: `baseline:${accountId}:${windowIndex}` as never },
            { $inc: { hits: 1 }, $setOnInsert: { expires_at: new Date() } },
            { upsert: true, returnDocument: 'after' },
          );
      // As the app's counter store does: two first upserts of a new window race on FerretDB
      // (its upsert is not atomic) and the loser, a duplicate key, retries once.
      await hit().catch((error: { code?: number }) => {
        if (error.code !== 11000) throw error;
        return hit();
      });
      const task = await connection.collection('tasks').findOne({ _id: taskId as never });
      if (!task) return reply.code(404).send();
    }
    return reply.type('application/json; charset=utf-8').send(body);
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  announceListening(app.server, () => app.close().then(() => connection?.close()));
}

runChild(main);
