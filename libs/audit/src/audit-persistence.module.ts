import { DynamicModule, Module } from '@nestjs/common';
import type { Driver } from '@taskflow/platform';
import { MemoryAuditLogRepository } from './infrastructure/memory/memory-audit-log.repository';
import { MemoryCollaborationRecordRepository } from './infrastructure/memory/memory-collaboration-record.repository';
import { AuditLogRepository } from './ports/audit-log.repository';
import { CollaborationRecordRepository } from './ports/collaboration-record.repository';

export interface AuditPersistenceOptions {
  readonly driver: Driver;
}

/** Binds the audit ports to the adapters of the configured driver. */
@Module({})
export class AuditPersistenceModule {
  static register(_options: AuditPersistenceOptions): DynamicModule {
    return {
      module: AuditPersistenceModule,
      providers: [
        { provide: AuditLogRepository, useClass: MemoryAuditLogRepository },
        { provide: CollaborationRecordRepository, useClass: MemoryCollaborationRecordRepository },
      ],
      exports: [AuditLogRepository, CollaborationRecordRepository],
    };
  }
}
