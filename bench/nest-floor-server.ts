/**
 * The framework floor for run.ts (forked with IPC): a bare Nest application on the same Fastify
 * adapter, one controller whose GET /tasks/:id returns the body in BENCH_BODY_FILE — no guard, no
 * interceptor, no pipe, no logger. What Nest alone costs over the bare Fastify ceiling here.
 */
import 'reflect-metadata';
import { Controller, Get, Header, Module, Param } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { readFileSync } from 'node:fs';
import { announceListening, runChild } from './child';

const body = readFileSync(process.env.BENCH_BODY_FILE as string, 'utf8');

@Controller('tasks')
class FloorController {
  @Get(':id')
  @Header('content-type', 'application/json; charset=utf-8')
  get(@Param('id') _id: string): string {
    return body;
  }
}

@Module({ controllers: [FloorController] })
class FloorModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(FloorModule, new FastifyAdapter(), {
    logger: false,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  announceListening(app.getHttpServer(), () => app.close());
}

runChild(main);
