/**
 * The anchor's work (bench/anchor-work.ts) as a Nest application on the same Fastify adapter,
 * written the way Nest is written (issue 17: how close can NestJS come to the same work by hand
 * on bare Fastify?): a global guard authenticates and counts (`CanActivate`, through the
 * execution context), controllers take their parameters by decorator (`@Param`, `@Body`,
 * `@Req`, `@Res({ passthrough: true })`) and return the DTO for Nest to send; the request line
 * is Fastify's `onResponse` hook, as in the app. No interceptor, pipe, filter or Nest logger.
 */
import 'reflect-metadata';
import {
  Body,
  CanActivate,
  Controller,
  ExecutionContext,
  Get,
  HttpCode,
  HttpException,
  Inject,
  Injectable,
  Module,
  Param,
  Post,
  Req,
  Res,
} from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import { type Account, type AnchorRequest, type AnchorWork, anchorWork } from './anchor-work';
import { announceListening, runChild } from './child';

const WORK = Symbol('anchor work');

@Injectable()
class AnchorGuard implements CanActivate {
  constructor(@Inject(WORK) private readonly work: AnchorWork) {}

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const actor = this.work.authenticate(http.getRequest(), http.getResponse());
    if (typeof actor === 'number') throw new HttpException('', actor);
    return true;
  }
}

@Controller('tasks')
class AnchorController {
  constructor(@Inject(WORK) private readonly work: AnchorWork) {}

  @Get(':id')
  get(
    @Param('id') id: string,
    @Req() request: AnchorRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const task = this.work.read(request.actor as Account, id);
    if (!task) throw new HttpException('', 404);
    void reply.header('etag', `"${task.version}"`);
    return this.work.dto(task);
  }

  @Post(':id/:action')
  @HttpCode(200)
  act(
    @Param('id') id: string,
    @Param('action') action: string,
    @Body() body: Record<string, unknown> | undefined,
    @Req() request: AnchorRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const outcome = this.work.act(request.actor as Account, request, id, action, body);
    if (!outcome.task) throw new HttpException('', outcome.status);
    void reply.header('etag', `"${outcome.task.version}"`).type('application/json; charset=utf-8');
    return outcome.answer;
  }

  @Post()
  create(@Body() body: { title: string }, @Req() request: AnchorRequest) {
    return this.work.dto(this.work.create(request.actor as Account, body.title));
  }
}

async function main(): Promise<void> {
  const work = await anchorWork();

  @Module({
    controllers: [AnchorController],
    providers: [
      { provide: WORK, useValue: work },
      { provide: APP_GUARD, useClass: AnchorGuard },
    ],
  })
  class AnchorModule {}

  const app = await NestFactory.create<NestFastifyApplication>(
    AnchorModule,
    new FastifyAdapter({ genReqId: work.genReqId }),
    { logger: false },
  );
  app.getHttpAdapter().getInstance().addHook('onResponse', work.requestLine);
  await app.listen({ port: 0, host: '127.0.0.1' });
  announceListening(app.getHttpServer(), () => app.close());
}

runChild(main);
