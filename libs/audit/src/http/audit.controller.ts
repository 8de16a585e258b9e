import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiAuthenticated, CurrentActor, RequiresScope } from '@taskflow/identity';
import {
  Actor,
  ApiProblems,
  encodeCursor,
  Page,
  PageQuery,
  pageRequestFrom,
} from '@taskflow/platform';
import { AuditQueryService } from '../application/audit-query.service';
import { AuditEntryDto, AuditPageDto, RecordDto, RecordPageDto } from './audit.dto';

const VERSION_KEY = /^[1-9]\d{0,14}$/;
const RECORD_KEY = /^r_[0-9a-z]{26}$/;

/** A page as the API spells it: the items mapped to their DTOs, and the opaque cursor. */
const toPageDto = <T, D>(page: Page<T>, toDto: (item: T) => D) => ({
  items: page.items.map((item) => toDto(item)),
  next_cursor: encodeCursor(page.nextCursor),
});

@ApiTags('audit')
@ApiAuthenticated()
@RequiresScope('tasks:read')
@ApiProblems(429)
@Controller('tasks/:id')
export class AuditController {
  constructor(private readonly audit: AuditQueryService) {}

  @Get('audit_logs')
  @ApiOkResponse({ type: AuditPageDto, description: 'Every change to the task, oldest first' })
  @ApiProblems(400, 404)
  async auditLogs(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Query() query: PageQuery,
  ): Promise<AuditPageDto> {
    const page = pageRequestFrom(query, (key) => VERSION_KEY.test(key));
    return toPageDto(await this.audit.auditLogOf(actor, id, page), AuditEntryDto.from);
  }

  @Get('records')
  @ApiOkResponse({
    type: RecordPageDto,
    description: 'Submissions, rejections and comments, oldest first',
  })
  @ApiProblems(400, 404)
  async records(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Query() query: PageQuery,
  ): Promise<RecordPageDto> {
    const page = pageRequestFrom(query, (key) => RECORD_KEY.test(key));
    return toPageDto(await this.audit.recordsOf(actor, id, page), RecordDto.from);
  }
}
