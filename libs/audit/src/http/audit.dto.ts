import { ApiProperty } from '@nestjs/swagger';
import type { AuditEntry } from '../domain/audit-entry';
import { CollaborationRecord, RECORD_KINDS } from '../domain/collaboration-record';

export class AuditEntryDto {
  @ApiProperty({ example: 't_01jd3k8w9x2m4n6p8r0t2v4x6z:2' }) id!: string;
  @ApiProperty() task_id!: string;
  @ApiProperty() actor_id!: string;
  @ApiProperty({ example: 'assign' }) action!: string;
  @ApiProperty({ type: String, nullable: true }) from_status!: string | null;
  @ApiProperty() to_status!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: {
      type: 'object',
      properties: { from: { nullable: true }, to: { nullable: true } },
    },
    description: 'Changed fields: { field: { from, to } }',
  })
  changes!: Record<string, { from: unknown; to: unknown }>;
  @ApiProperty({ minimum: 1 }) version!: number;
  @ApiProperty({ type: String, nullable: true }) request_id!: string | null;
  @ApiProperty({
    example: 'api_key:ak_01j9zq3v6w8x0y1z2a3b4c5d6e',
    description: 'How the actor came in: session, api_key:<key id>, dev_header or system',
  })
  via!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;

  static from(entry: AuditEntry): AuditEntryDto {
    return {
      id: entry.id,
      task_id: entry.taskId,
      actor_id: entry.actorId,
      action: entry.action,
      from_status: entry.fromStatus,
      to_status: entry.toStatus,
      changes: { ...entry.changes },
      version: entry.version,
      request_id: entry.requestId,
      via: entry.via,
      at: entry.at.toISOString(),
    };
  }
}

export class RecordDto {
  @ApiProperty() id!: string;
  @ApiProperty() task_id!: string;
  @ApiProperty() actor_id!: string;
  @ApiProperty({ enum: RECORD_KINDS }) kind!: string;
  @ApiProperty({ type: String, nullable: true }) body!: string | null;
  @ApiProperty({ minimum: 1, description: 'The task version this record belongs to' })
  version!: number;
  @ApiProperty({ format: 'date-time' }) at!: string;

  static from(record: CollaborationRecord): RecordDto {
    return {
      id: record.id,
      task_id: record.taskId,
      actor_id: record.actorId,
      kind: record.kind,
      body: record.body,
      version: record.version,
      at: record.at.toISOString(),
    };
  }
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditEntryDto] }) items!: AuditEntryDto[];
  @ApiProperty({ type: String, nullable: true }) next_cursor!: string | null;
}

export class RecordPageDto {
  @ApiProperty({ type: [RecordDto] }) items!: RecordDto[];
  @ApiProperty({ type: String, nullable: true }) next_cursor!: string | null;
}
