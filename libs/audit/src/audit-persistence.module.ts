import { DynamicModule, Module } from '@nestjs/common';
import { bindDriver, Driver } from '@taskflow/platform';
import { MemoryAuditLogRepository } from './infrastructure/memory/memory-audit-log.repository';
import { MemoryCollaborationRecordRepository } from './infrastructure/memory/memory-collaboration-record.repository';
import {
  AuditEntryDocument,
  AuditEntrySchema,
  RecordDocument,
  RecordSchema,
} from './infrastructure/mongo/audit.schema';
import { MongoAuditLogRepository } from './infrastructure/mongo/mongo-audit-log.repository';
import { MongoCollaborationRecordRepository } from './infrastructure/mongo/mongo-collaboration-record.repository';
import { AuditLogRepository } from './ports/audit-log.repository';
import { CollaborationRecordRepository } from './ports/collaboration-record.repository';

export interface AuditPersistenceOptions {
  readonly driver: Driver;
}

/** Binds the audit ports to the adapters of the configured driver. */
@Module({})
export class AuditPersistenceModule {
  static register(options: AuditPersistenceOptions): DynamicModule {
    return {
      module: AuditPersistenceModule,
      ...bindDriver(options.driver, {
        memory: [
          { provide: AuditLogRepository, useClass: MemoryAuditLogRepository },
          { provide: CollaborationRecordRepository, useClass: MemoryCollaborationRecordRepository },
        ],
        mongo: {
          models: [
            { name: AuditEntryDocument.name, schema: AuditEntrySchema },
            { name: RecordDocument.name, schema: RecordSchema },
          ],
          providers: [
            { provide: AuditLogRepository, useClass: MongoAuditLogRepository },
            {
              provide: CollaborationRecordRepository,
              useClass: MongoCollaborationRecordRepository,
            },
          ],
        },
      }),
      exports: [AuditLogRepository, CollaborationRecordRepository],
    };
  }
}
