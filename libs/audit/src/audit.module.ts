import { DynamicModule, Module, Provider } from '@nestjs/common';
import { bindDriver, Driver } from '@taskflow/platform';
import { AuditQueryService } from './application/audit-query.service';
import { EventFeed } from './application/event-feed.service';
import { EventLogNotifier } from './application/event-log-notifier';
import { AuditController } from './http/audit.controller';
import { EVENT_METRICS } from './http/event-metrics';
import { EventStreams } from './http/event-streams';
import { EventsController } from './http/events.controller';
import { MemoryAuditLogRepository } from './infrastructure/memory/memory-audit-log.repository';
import { MemoryCollaborationRecordRepository } from './infrastructure/memory/memory-collaboration-record.repository';
import { AuditLogRepository } from './ports/audit-log.repository';
import { CollaborationRecordRepository } from './ports/collaboration-record.repository';

type MongoAdapterFile = typeof import('./infrastructure/mongo/mongo-adapters');

export interface AuditModuleOptions {
  readonly driver: Driver;
}

/** Every driver's log wakes the feed's waiters through the one notifier of the instance. */
function withNotifier<T extends { providers?: Provider[] }>(binding: T): T {
  return { ...binding, providers: [...(binding.providers ?? []), EventLogNotifier] };
}

/**
 * Binds the audit ports to the adapters of the configured driver: the
 * module's storage, which the contract suites also load on their own.
 */
@Module({})
export class AuditPersistenceModule {
  static register(options: AuditModuleOptions): DynamicModule {
    return {
      module: AuditPersistenceModule,
      ...withNotifier(
        bindDriver(options.driver, {
          memory: [
            { provide: AuditLogRepository, useClass: MemoryAuditLogRepository },
            {
              provide: CollaborationRecordRepository,
              useClass: MemoryCollaborationRecordRepository,
            },
          ],
          // Required only for the Mongo driver: it loads mongoose (bench/README.md, "Start-up").
          mongo: () =>
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            (require('./infrastructure/mongo/mongo-adapters') as MongoAdapterFile).mongoAdapters(),
        }),
      ),
      exports: [AuditLogRepository, CollaborationRecordRepository, EventLogNotifier],
    };
  }
}

/**
 * The audit log and collaboration records: their storage, and reading them over HTTP, the log
 * also as events (`GET /events`, `GET /events/stream`, docs/EVENTS.md). Exports
 * the two repositories the modules that make changes write through (Tasks). Who may read a
 * task's history is asked of `TaskHistoryAccess`, which the Tasks module provides globally.
 */
@Module({})
export class AuditModule {
  static register(options: AuditModuleOptions): DynamicModule {
    const persistence = AuditPersistenceModule.register({ driver: options.driver });
    return {
      module: AuditModule,
      // Global: the log is written inside other modules' units of work, and read by later ones.
      global: true,
      imports: [persistence],
      controllers: [AuditController, EventsController],
      providers: [...EVENT_METRICS, AuditQueryService, EventFeed, EventStreams],
      // The feed is exported for webhooks, which read the same log with the same guarantee.
      exports: [persistence, EventFeed],
    };
  }
}
