import type { DriverAdapters } from '@taskflow/platform';
import { AuditLogRepository } from '../../ports/audit-log.repository';
import { CollaborationRecordRepository } from '../../ports/collaboration-record.repository';
import { AuditEntryDocument, AuditEntrySchema, RecordDocument, RecordSchema } from './audit.schema';
import { MongoAuditLogRepository } from './mongo-audit-log.repository';
import { MongoCollaborationRecordRepository } from './mongo-collaboration-record.repository';
import { MongoEventHorizon } from './mongo-event-horizon';

/** The Mongo storage of the audit log; AuditPersistenceModule requires this file only for that driver. */
export function mongoAdapters(): DriverAdapters {
  return {
    models: [
      { name: AuditEntryDocument.name, schema: AuditEntrySchema },
      { name: RecordDocument.name, schema: RecordSchema },
    ],
    providers: [
      MongoEventHorizon,
      { provide: AuditLogRepository, useClass: MongoAuditLogRepository },
      { provide: CollaborationRecordRepository, useClass: MongoCollaborationRecordRepository },
    ],
  };
}
