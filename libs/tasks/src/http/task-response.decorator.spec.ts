import { Get, HttpCode, Param } from '@nestjs/common';
import {
  PATH_METADATA,
  RESPONSE_PASSTHROUGH_METADATA,
  ROUTE_ARGS_METADATA,
} from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { FastifyReply } from 'fastify';
import { aTask } from '../domain/testing/a-task';
import type { Task } from '../domain/task.entity';
import { TaskResponse } from './task-response.decorator';

const task = aTask({ version: 7 });

class Probe {
  @Get(':id')
  @HttpCode(200)
  @TaskResponse({ location: true })
  below(@Param('id') _id: string): Promise<Task> {
    return Promise.resolve(task);
  }

  @TaskResponse({ body: false })
  @Get(':id')
  above(@Param('id') _id: string): Promise<Task> {
    return Promise.resolve(task);
  }
}

const fakeReply = () => {
  const headers: Record<string, string> = {};
  const reply = { header: (name: string, value: string) => ((headers[name] = value), reply) };
  return { headers, reply: reply as unknown as FastifyReply };
};

type Wrapped = (id: string, reply: FastifyReply) => Promise<unknown>;

describe('TaskResponse', () => {
  it('adds the reply as a passthrough parameter after the handler’s own', () => {
    const args = Reflect.getMetadata(ROUTE_ARGS_METADATA, Probe, 'below') as Record<
      string,
      { index: number }
    >;
    expect(args[`${RouteParamtypes.RESPONSE}:1`]).toEqual(expect.objectContaining({ index: 1 }));
    expect(Reflect.getMetadata(RESPONSE_PASSTHROUGH_METADATA, Probe, 'below')).toBe(true);
  });

  it('keeps the route metadata whichever side of it the decorator stands', () => {
    expect(Reflect.getMetadata(PATH_METADATA, Probe.prototype.below)).toBe(':id');
    expect(Reflect.getMetadata(PATH_METADATA, Probe.prototype.above)).toBe(':id');
    expect(Probe.prototype.below.name).toBe('below');
  });

  it('answers the TaskDto with the ETag and, when asked, the Location', async () => {
    const { headers, reply } = fakeReply();
    const body = await (new Probe().below as unknown as Wrapped)(task.id, reply);
    expect(headers).toEqual({ etag: '"7"', location: `/tasks/${task.id}` });
    expect(body).toEqual(expect.objectContaining({ id: task.id, version: 7 }));
  });

  it('answers no body when asked, with the ETag only', async () => {
    const { headers, reply } = fakeReply();
    expect(await (new Probe().above as unknown as Wrapped)(task.id, reply)).toBeUndefined();
    expect(headers).toEqual({ etag: '"7"' });
  });
});
