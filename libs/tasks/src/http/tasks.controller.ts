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
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Idempotent } from '@taskflow/idempotency';
import { ApiAuthenticated, CurrentActor, RequiresScope } from '@taskflow/identity';
import { Actor, ApiProblems, clientGone, RequestValidationError } from '@taskflow/platform';
import { CommandContext, TaskService } from '../application/task.service';
import type { Task } from '../domain/task.entity';
import { Command } from './command-context.decorator';
import { etagOf, TaskResponse } from './task-response.decorator';
import { ListCursor } from './list-cursor';
import type { TaskFilter, TaskSort } from '../ports/task.repository';
import type { FastifyReply } from 'fastify';
import {
  ActionDto,
  AssignDto,
  ClaimDto,
  ClaimNextDto,
  CreateTaskDto,
  HeartbeatDto,
  ListTasksQuery,
  RejectDto,
  TaskDto,
  TaskPageDto,
  UpdateTaskDto,
} from './task.dto';

const IF_MATCH = ApiHeader({
  name: 'If-Match',
  required: false,
  description: 'The ETag of the version you expect; 412 when the task has moved on',
});

const dateOrNull = (value: string | null | undefined): Date | null | undefined =>
  value === undefined || value === null ? value : new Date(value);

/** A transition: 200 with the task, its ETag, and the problems every action can meet. */
const Transition = (action: string): MethodDecorator =>
  applyDecorators(
    Post(`:id/${action}`),
    RequiresScope('tasks:act'),
    HttpCode(200),
    Idempotent(),
    IF_MATCH,
    ApiOkResponse({ type: TaskDto, description: `The task after ${action}` }),
    ApiProblems(400, 403, 404, 409, 412),
    TaskResponse(),
  );

@ApiTags('tasks')
@ApiAuthenticated()
@ApiProblems(429)
@Controller('tasks')
export class TasksController {
  constructor(private readonly tasks: TaskService) {}

  @Post()
  @RequiresScope('tasks:write')
  @Idempotent()
  @ApiCreatedResponse({ type: TaskDto })
  @ApiProblems(400, 422)
  @TaskResponse({ location: true })
  create(@Command() context: CommandContext, @Body() body: CreateTaskDto): Promise<Task> {
    if (body.open_to !== undefined && body.open !== true) {
      throw new RequestValidationError([
        { field: 'open_to', message: 'applies to open tasks only: send open: true with it' },
      ]);
    }
    return this.tasks.create(context, {
      title: body.title,
      description: body.description,
      priority: body.priority,
      dueAt: dateOrNull(body.due_at),
      reviewerId: body.reviewer_id,
      open: body.open,
      openTo: body.open_to,
    });
  }

  @Post('claim')
  @ApiOperation({ operationId: 'claimNextTask' })
  @RequiresScope('tasks:act')
  @HttpCode(200)
  @Idempotent()
  @ApiOkResponse({ type: TaskDto, description: 'The task claimed for the caller' })
  @ApiNoContentResponse({ description: 'No claimable task arrived within `wait` seconds' })
  @ApiProblems(400)
  async claimNext(
    @Command() context: CommandContext,
    @Body() body: ClaimNextDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TaskDto | undefined> {
    const task = await this.tasks.claimNext(
      context,
      { openTo: body.open_to, priorities: body.priority },
      body.lease_seconds ?? null,
      body.wait ?? 0,
      clientGone(reply),
    );
    if (task === null) {
      void reply.status(204);
      return undefined;
    }
    void reply.header('etag', etagOf(task.version));
    void reply.header('location', `/tasks/${task.id}`);
    return TaskDto.from(task);
  }

  @Get()
  @RequiresScope('tasks:read')
  @ApiOkResponse({ type: TaskPageDto, description: 'Visible tasks, oldest first' })
  @ApiProblems(400)
  async list(@CurrentActor() actor: Actor, @Query() query: ListTasksQuery): Promise<TaskPageDto> {
    const me = (id: string | undefined) => (id === 'me' ? actor.id : id);
    const filter: TaskFilter = {
      status: query.status,
      priority: query.priority,
      open: query.open === 'true' ? true : undefined,
      assigneeId: me(query.assignee_id),
      creatorId: me(query.creator_id),
      reviewerId: me(query.reviewer_id),
      dueBefore: query.due_before === undefined ? undefined : new Date(query.due_before),
      updatedSince: query.updated_since === undefined ? undefined : new Date(query.updated_since),
    };
    const sortText = query.sort ?? 'created_at';
    const sort: TaskSort = {
      key: sortText.replace(/^-/, '') as TaskSort['key'],
      descending: sortText.startsWith('-'),
    };
    const cursor = new ListCursor(sortText, filter);
    const page = await this.tasks.list(actor, filter, cursor.pageRequest(query), sort);
    return {
      items: page.items.map((task) => TaskDto.from(task)),
      next_cursor: cursor.encode(page.nextCursor),
    };
  }

  @Get(':id')
  @RequiresScope('tasks:read')
  @ApiOkResponse({ type: TaskDto })
  @ApiProblems(404)
  @TaskResponse()
  get(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<Task> {
    return this.tasks.get(actor, id);
  }

  @Patch(':id')
  @RequiresScope('tasks:write')
  @Idempotent()
  @IF_MATCH
  @ApiOkResponse({ type: TaskDto })
  @ApiProblems(400, 403, 404, 409, 412, 422)
  @TaskResponse()
  update(
    @Command() context: CommandContext,
    @Param('id') id: string,
    @Body() body: UpdateTaskDto,
  ): Promise<Task> {
    if (Object.values(body).every((value) => value === undefined)) {
      throw new RequestValidationError([
        { field: 'body', message: 'send at least one field to change' },
      ]);
    }
    return this.tasks.update(context, id, {
      title: body.title,
      description: body.description,
      priority: body.priority,
      dueAt: dateOrNull(body.due_at),
      reviewerId: body.reviewer_id,
    });
  }

  @Delete(':id')
  @RequiresScope('tasks:write')
  @HttpCode(204)
  @IF_MATCH
  @ApiNoContentResponse({
    description: 'Deleted (soft): hidden from reads, history kept for admins',
  })
  @ApiProblems(403, 404, 409, 412)
  @TaskResponse({ body: false })
  delete(@Command() context: CommandContext, @Param('id') id: string): Promise<Task> {
    return this.tasks.delete(context, id);
  }

  @Transition('assign')
  @ApiProblems(422)
  assign(@Command() ctx: CommandContext, @Param('id') id: string, @Body() body: AssignDto) {
    return this.tasks.assign(ctx, id, body.assignee_id, body.comment ?? null);
  }

  @Transition('start')
  start(@Command() ctx: CommandContext, @Param('id') id: string, @Body() body: ActionDto) {
    return this.tasks.start(ctx, id, body.comment ?? null);
  }

  @Transition('submit')
  submit(@Command() ctx: CommandContext, @Param('id') id: string, @Body() body: ActionDto) {
    return this.tasks.submit(ctx, id, body.comment ?? null);
  }

  @Transition('approve')
  approve(@Command() ctx: CommandContext, @Param('id') id: string, @Body() body: ActionDto) {
    return this.tasks.approve(ctx, id, body.comment ?? null);
  }

  @Transition('reject')
  reject(@Command() ctx: CommandContext, @Param('id') id: string, @Body() body: RejectDto) {
    return this.tasks.reject(ctx, id, body.reason, body.comment ?? null);
  }

  @Transition('close')
  close(@Command() ctx: CommandContext, @Param('id') id: string, @Body() body: ActionDto) {
    return this.tasks.close(ctx, id, body.comment ?? null);
  }

  @Transition('cancel')
  cancel(@Command() ctx: CommandContext, @Param('id') id: string, @Body() body: ActionDto) {
    return this.tasks.cancel(ctx, id, body.comment ?? null);
  }

  @Transition('claim')
  claim(@Command() ctx: CommandContext, @Param('id') id: string, @Body() body: ClaimDto) {
    return this.tasks.claim(ctx, id, body.lease_seconds ?? null);
  }

  @Transition('release')
  release(@Command() ctx: CommandContext, @Param('id') id: string, @Body() body: ActionDto) {
    return this.tasks.release(ctx, id, body.comment ?? null);
  }

  @Transition('heartbeat')
  heartbeat(@Command() ctx: CommandContext, @Param('id') id: string, @Body() body: HeartbeatDto) {
    return this.tasks.heartbeat(ctx, id, body.lease_seconds ?? null);
  }

  @Transition('reactivate')
  reactivate(@Command() ctx: CommandContext, @Param('id') id: string, @Body() body: ActionDto) {
    return this.tasks.reactivate(ctx, id, body.comment ?? null);
  }
}
