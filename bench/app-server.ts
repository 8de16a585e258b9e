/**
 * The application under load, in its own process (forked by run.ts with IPC): the built app from
 * dist/, configured by the environment like `npm run start:prod`. Seeds tasks straight through the
 * repository (BENCH_SEED_TASKS) and reports the database commands it sends on request, so the
 * parent can print commands per request beside the throughput.
 */
import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import * as path from 'node:path';
import type { createApp as CreateApp } from '../apps/api/src/bootstrap';
import type { loadConfig as LoadConfig } from '../libs/platform/src';
import type { TaskRepository as TaskRepositoryPort } from '../libs/tasks/src';
import type { TaskState } from '../libs/tasks/src/domain/task-events';
import { seedTaskStates } from './seed';

const DIST = path.resolve(__dirname, '../dist/apps/api');

export type ParentMessage =
  | { type: 'commands-reset' }
  | { type: 'commands' }
  | { type: 'profile-start' }
  | { type: 'profile-stop'; file: string };
export type ChildMessage =
  | { type: 'listening'; port: number; seedMs: number; heapUsed: number; rss: number }
  | { type: 'commands'; commands: string[] }
  | { type: 'profile'; file: string };

async function main(): Promise<void> {
  const { createApp } = (await import(`${DIST}/apps/api/src/bootstrap.js`)) as {
    createApp: typeof CreateApp;
  };
  const { loadConfig } = (await import(`${DIST}/libs/platform/src/index.js`)) as {
    loadConfig: typeof LoadConfig;
  };
  const { TaskRepository } = (await import(`${DIST}/libs/tasks/src/index.js`)) as {
    TaskRepository: typeof TaskRepositoryPort;
  };
  const app: NestFastifyApplication = await createApp(loadConfig(process.env), { logger: false });
  await app.init();

  const commands: string[] = [];
  if (process.env.TASK_REPOSITORY_DRIVER === 'mongo') {
    const { getConnectionToken } = await import('@nestjs/mongoose');
    const connection = app.get<import('mongoose').Connection>(getConnectionToken(), {
      strict: false,
    });
    connection.getClient().on('commandStarted', (event) => {
      const value = event.command[event.commandName];
      commands.push(`${event.commandName} ${typeof value === 'string' ? value : ''}`.trim());
    });
  }

  const seedStarted = Date.now();
  const seedCount = Number(process.env.BENCH_SEED_TASKS ?? 0);
  if (seedCount > 0) {
    const repository = app.get(TaskRepository, { strict: false });
    await seedTaskStates(seedCount, (states: TaskState[]) =>
      Promise.all(states.map((state) => repository.insert(state))),
    );
  }
  const seedMs = Date.now() - seedStarted;
  global.gc?.();

  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const memory = process.memoryUsage();
  send({ type: 'listening', port, seedMs, heapUsed: memory.heapUsed, rss: memory.rss });

  // A CPU profile of the load alone, without start-up and seeding (what --cpu-prof would add).
  const inspector = new Session();
  inspector.connect();
  const post = (method: string): Promise<unknown> =>
    new Promise((resolve, reject) =>
      inspector.post(method, (error, result) => (error ? reject(error) : resolve(result))),
    );
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'profile-start') {
      void post('Profiler.enable')
        .then(() => post('Profiler.start'))
        .then(() => send({ type: 'profile', file: '' }));
    } else if (message.type === 'profile-stop') {
      void post('Profiler.stop').then((result) => {
        writeFileSync(message.file, JSON.stringify((result as { profile: object }).profile));
        send({ type: 'profile', file: message.file });
      });
    } else {
      if (message.type === 'commands-reset') commands.length = 0;
      send({ type: 'commands', commands: [...commands] });
    }
  });
  process.on('SIGTERM', () => {
    void app.close().finally(() => process.exit(0));
  });
}

function send(message: ChildMessage): void {
  process.send?.(message);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
