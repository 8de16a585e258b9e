import {
  applyDecorators,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Idempotent } from '@taskflow/idempotency';
import { ApiAuthenticated, CurrentActor } from '@taskflow/identity';
import {
  Actor,
  ApiProblems,
  encodeCursor,
  pageRequestFrom,
  RequestValidationError,
} from '@taskflow/platform';
import type { FastifyReply } from 'fastify';
import { CommandContext, TaskService } from '../application/task.service';
import type { Task } from '../domain/task.entity';
import { Command, etagOf } from './command-context.decorator';
import {
  ActionDto,
  AssignDto,
  CreateTaskDto,
  ListTasksQuery,
  RejectDto,
  TaskDto,
  TaskPageDto,
  UpdateTaskDto,
} from './task.dto';

const TASK_ID_KEY = /^t_[0-9a-z]{26}$/;

const IF_MATCH = ApiHeader({
  name: 'If-Match',
  required: false,
  description: 'The ETag of the version you expect; 412 when the task has moved on',
});

const dateOrNull = (value: string | null | undefined): Date | null | undefined =>
  value === undefined || value === null ? value : new Date(value);

function withEtag(reply: FastifyReply, task: Task): TaskDto {
  void reply.header('etag', etagOf(task.version));
  return TaskDto.from(task);
}

/** A transition: 200 with the task, its ETag, and the problems every action can meet. */
const Transition = (action: string): MethodDecorator =>
  applyDecorators(
    Post(`:id/${action}`),
    HttpCode(200),
    Idempotent(),
    IF_MATCH,
    ApiOkResponse({ type: TaskDto, description: `The task after ${action}` }),
    ApiProblems(400, 403, 404, 409, 412),
  );

@ApiTags('tasks')
@ApiAuthenticated()
@ApiProblems(429)
@Controller('tasks')
export class TasksController {
  constructor(private readonly tasks: TaskService) {}

  @Post()
  @Idempotent()
  @ApiCreatedResponse({ type: TaskDto })
  @ApiProblems(400, 422)
  async create(
    @Command() context: CommandContext,
    @Body() body: CreateTaskDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TaskDto> {
    const task = await this.tasks.create(context, {
      title: body.title,
      description: body.description,
      priority: body.priority,
      dueAt: dateOrNull(body.due_at),
      reviewerId: body.reviewer_id,
    });
    void reply.header('location', `/tasks/${task.id}`);
    return withEtag(reply, task);
  }

  @Get()
  @ApiOkResponse({ type: TaskPageDto, description: 'Visible tasks, oldest first' })
  @ApiProblems(400)
  async list(@CurrentActor() actor: Actor, @Query() query: ListTasksQuery): Promise<TaskPageDto> {
    const page = await this.tasks.list(
      actor,
      { status: query.status, assigneeId: query.assignee_id, creatorId: query.creator_id },
      pageRequestFrom(query, (key) => TASK_ID_KEY.test(key)),
    );
    return {
      items: page.items.map((task) => TaskDto.from(task)),
      next_cursor: encodeCursor(page.nextCursor),
    };
  }

  @Get(':id')
  @ApiOkResponse({ type: TaskDto })
  @ApiProblems(404)
  async get(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TaskDto> {
    return withEtag(reply, await this.tasks.get(actor, id));
  }

  @Patch(':id')
  @Idempotent()
  @IF_MATCH
  @ApiOkResponse({ type: TaskDto })
  @ApiProblems(400, 403, 404, 409, 412, 422)
  async update(
    @Command() context: CommandContext,
    @Param('id') id: string,
    @Body() body: UpdateTaskDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TaskDto> {
    if (Object.values(body).every((value) => value === undefined)) {
      throw new RequestValidationError([
        { field: 'body', message: 'send at least one field to change' },
      ]);
    }
    const task = await this.tasks.update(context, id, {
      title: body.title,
      description: body.description,
      priority: body.priority,
      dueAt: dateOrNull(body.due_at),
      reviewerId: body.reviewer_id,
    });
    return withEtag(reply, task);
  }

  @Delete(':id')
  @HttpCode(204)
  @IF_MATCH
  @ApiNoContentResponse({
    description: 'Deleted (soft): hidden from reads, history kept for admins',
  })
  @ApiProblems(403, 404, 409, 412)
  async delete(
    @Command() context: CommandContext,
    @Param('id') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    const task = await this.tasks.delete(context, id);
    void reply.header('etag', etagOf(task.version));
  }

  @Transition('assign')
  @ApiProblems(422)
  async assign(
    @Command() context: CommandContext,
    @Param('id') id: string,
    @Body() body: AssignDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TaskDto> {
    return withEtag(
      reply,
      await this.tasks.assign(context, id, body.assignee_id, body.comment ?? null),
    );
  }

  @Transition('start')
  async start(
    @Command() context: CommandContext,
    @Param('id') id: string,
    @Body() body: ActionDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TaskDto> {
    return withEtag(reply, await this.tasks.start(context, id, body.comment ?? null));
  }

  @Transition('submit')
  async submit(
    @Command() context: CommandContext,
    @Param('id') id: string,
    @Body() body: ActionDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TaskDto> {
    return withEtag(reply, await this.tasks.submit(context, id, body.comment ?? null));
  }

  @Transition('approve')
  async approve(
    @Command() context: CommandContext,
    @Param('id') id: string,
    @Body() body: ActionDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TaskDto> {
    return withEtag(reply, await this.tasks.approve(context, id, body.comment ?? null));
  }

  @Transition('reject')
  async reject(
    @Command() context: CommandContext,
    @Param('id') id: string,
    @Body() body: RejectDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TaskDto> {
    return withEtag(reply, await this.tasks.reject(context, id, body.reason, body.comment ?? null));
  }

  @Transition('close')
  async close(
    @Command() context: CommandContext,
    @Param('id') id: string,
    @Body() body: ActionDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TaskDto> {
    return withEtag(reply, await this.tasks.close(context, id, body.comment ?? null));
  }

  @Transition('cancel')
  async cancel(
    @Command() context: CommandContext,
    @Param('id') id: string,
    @Body() body: ActionDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TaskDto> {
    return withEtag(reply, await this.tasks.cancel(context, id, body.comment ?? null));
  }

  @Transition('reactivate')
  async reactivate(
    @Command() context: CommandContext,
    @Param('id') id: string,
    @Body() body: ActionDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TaskDto> {
    return withEtag(reply, await this.tasks.reactivate(context, id, body.comment ?? null));
  }
}
