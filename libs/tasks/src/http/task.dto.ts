import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsRfc3339DateTime, PageQuery } from '@taskflow/platform';
import {
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  Max,
  Min,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { TASK_ACTIONS, type TaskAction } from '../domain/task-rules';
import { TASK_SORT_KEYS } from '../ports/task.repository';
import { Transform } from 'class-transformer';
import {
  OPEN_TO,
  type OpenTo,
  TASK_PRIORITIES,
  TASK_STATUSES,
  TaskPriority,
  TaskStatus,
} from '../domain/task-status';
import type { Task } from '../domain/task.entity';
import { taskFields } from '../application/task-fields';

const NOT_BLANK = /\S/;
const ACCOUNT_ID = { minLength: 1, maxLength: 64 };

/** May be left out, but not sent as null: unlike due_at and reviewer_id, it cannot be cleared. */
const IsOmittable = (): PropertyDecorator =>
  ValidateIf((_object: object, value: unknown) => value !== undefined);

export class CreateTaskDto {
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Write the release notes' })
  @IsString()
  @Matches(NOT_BLANK, { message: 'title must not be blank' })
  @MaxLength(200)
  title!: string;

  @ApiPropertyOptional({ maxLength: 10000, default: '' })
  @IsOmittable()
  @IsString()
  @MaxLength(10000)
  description?: string;

  @ApiPropertyOptional({ enum: TASK_PRIORITIES, default: 'normal' })
  @IsOmittable()
  @IsIn(TASK_PRIORITIES)
  priority?: TaskPriority;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  @IsOptional()
  @IsRfc3339DateTime()
  due_at?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    ...ACCOUNT_ID,
    description: 'Defaults to the creator',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  reviewer_id?: string | null;

  @ApiPropertyOptional({
    default: false,
    description: 'Claimable (POST /tasks/claim, /tasks/{id}/claim) while it has no assignee',
  })
  @IsOmittable()
  @IsBoolean()
  open?: boolean;

  @ApiPropertyOptional({
    enum: OPEN_TO,
    default: 'any',
    description: 'Which accounts may see and claim an open task; only with open: true',
  })
  @IsOmittable()
  @IsIn(OPEN_TO)
  open_to?: OpenTo;
}

export class UpdateTaskDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200 })
  @IsOmittable()
  @IsString()
  @Matches(NOT_BLANK, { message: 'title must not be blank' })
  @MaxLength(200)
  title?: string;

  @ApiPropertyOptional({ maxLength: 10000 })
  @IsOmittable()
  @IsString()
  @MaxLength(10000)
  description?: string;

  @ApiPropertyOptional({ enum: TASK_PRIORITIES })
  @IsOmittable()
  @IsIn(TASK_PRIORITIES)
  priority?: TaskPriority;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'null clears it',
  })
  @IsOptional()
  @IsRfc3339DateTime()
  due_at?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    ...ACCOUNT_ID,
    description: 'null resets it to the creator',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  reviewer_id?: string | null;
}

export class ActionDto {
  @ApiPropertyOptional({ maxLength: 5000, description: 'Becomes a collaboration record' })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  comment?: string;
}

export class AssignDto extends ActionDto {
  @ApiProperty({ ...ACCOUNT_ID, example: 'u_bob' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  assignee_id!: string;
}

export class RejectDto extends ActionDto {
  @ApiProperty({ minLength: 1, maxLength: 5000, example: 'The totals do not add up' })
  @IsString()
  @Matches(NOT_BLANK, { message: 'reason must not be blank' })
  @MaxLength(5000)
  reason!: string;
}

const LEASE = {
  type: Number,
  minimum: 30,
  maximum: 86_400,
  description: 'Seconds the claim holds without a heartbeat; none: no lease',
};

export class ClaimDto {
  @ApiPropertyOptional(LEASE)
  @IsOmittable()
  @IsInt()
  @Min(30)
  @Max(86_400)
  lease_seconds?: number;
}

export class HeartbeatDto {
  @ApiPropertyOptional({
    ...LEASE,
    description: 'New lease length from now; default: the length the claim took',
  })
  @IsOmittable()
  @IsInt()
  @Min(30)
  @Max(86_400)
  lease_seconds?: number;
}

export class ClaimNextDto extends ClaimDto {
  @ApiPropertyOptional({ enum: OPEN_TO, description: 'Only tasks open to exactly this' })
  @IsOmittable()
  @IsIn(OPEN_TO)
  open_to?: OpenTo;

  @ApiPropertyOptional({ enum: TASK_PRIORITIES, isArray: true, description: 'Only these' })
  @IsOmittable()
  @IsArray()
  @ArrayNotEmpty()
  @IsIn(TASK_PRIORITIES, { each: true })
  priority?: TaskPriority[];

  @ApiPropertyOptional({
    type: Number,
    minimum: 0,
    maximum: 30,
    default: 0,
    description: 'Seconds to wait for a task to arrive before answering 204',
  })
  @IsOmittable()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(30)
  wait?: number;
}

/**
 * `a,b,c` → ['a', 'b', 'c']. A repeated parameter (`status=a&status=b`) is refused like any
 * other repeat: it becomes a value no validator admits.
 */
const commaList = () =>
  Transform(({ value }) => (typeof value === 'string' ? value.split(',') : [value]));

export const LIST_SORTS = TASK_SORT_KEYS.flatMap((key) => [key, `-${key}`]);
const ID_OR_ME = 'An account id, or `me` for the caller';

export class ListTasksQuery extends PageQuery {
  @ApiPropertyOptional({
    type: String,
    description: `Comma-separated statuses, any of: ${TASK_STATUSES.join(', ')}`,
    example: 'assigned,in_progress',
  })
  @IsOptional()
  @commaList()
  @IsArray()
  @IsIn(TASK_STATUSES, {
    each: true,
    message: `status must be one comma-separated list of: ${TASK_STATUSES.join(', ')}`,
  })
  status?: TaskStatus[];

  @ApiPropertyOptional({
    type: String,
    description: `Comma-separated priorities, any of: ${TASK_PRIORITIES.join(', ')}`,
    example: 'high,urgent',
  })
  @IsOptional()
  @commaList()
  @IsArray()
  @IsIn(TASK_PRIORITIES, {
    each: true,
    message: `priority must be one comma-separated list of: ${TASK_PRIORITIES.join(', ')}`,
  })
  priority?: TaskPriority[];

  @ApiPropertyOptional({ enum: ['true'], description: 'Only open tasks' })
  @IsOptional()
  @IsIn(['true'])
  open?: 'true';

  @ApiPropertyOptional({ maxLength: 64, description: ID_OR_ME })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  assignee_id?: string;

  @ApiPropertyOptional({ maxLength: 64, description: ID_OR_ME })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  creator_id?: string;

  @ApiPropertyOptional({ maxLength: 64, description: `${ID_OR_ME}; the stored reviewer` })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  reviewer_id?: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'Due before this' })
  @IsOptional()
  @IsRfc3339DateTime()
  due_before?: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'Changed since this' })
  @IsOptional()
  @IsRfc3339DateTime()
  updated_since?: string;

  @ApiPropertyOptional({
    enum: LIST_SORTS,
    default: 'created_at',
    description:
      'Order; a leading `-` is descending; ties go by id. `priority` is queue order: urgent first',
  })
  @IsOptional()
  @IsIn(LIST_SORTS)
  sort?: string;
}

export class TaskDto {
  @ApiProperty({ example: 't_01jd3k8w9x2m4n6p8r0t2v4x6z' }) id!: string;
  @ApiProperty() title!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ enum: TASK_STATUSES }) status!: TaskStatus;
  @ApiProperty({ enum: TASK_PRIORITIES }) priority!: TaskPriority;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) due_at!: string | null;
  @ApiProperty() creator_id!: string;
  @ApiProperty({ type: String, nullable: true }) assignee_id!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'null means the creator reviews' })
  reviewer_id!: string | null;
  @ApiProperty({ description: 'Claimable while it has no assignee' }) open!: boolean;
  @ApiProperty({ enum: OPEN_TO }) open_to!: OpenTo;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: "When the holder's lease runs out; null when not leased",
  })
  lease_expires_at!: string | null;
  @ApiProperty({ minimum: 1, description: 'Number of audit entries; also the ETag' })
  version!: number;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
  @ApiProperty({
    enum: TASK_ACTIONS,
    isArray: true,
    description: 'What the caller may do now: a listed action answers neither 403 nor 409',
  })
  allowed_actions!: TaskAction[];

  static from(task: Task): TaskDto {
    return {
      ...taskFields(task.snapshot()),
      allowed_actions: [...task.actionsShown],
    };
  }
}

export class TaskPageDto {
  @ApiProperty({ type: [TaskDto] }) items!: TaskDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page' })
  next_cursor!: string | null;
}
