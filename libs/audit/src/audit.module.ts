import { DynamicModule, Module } from '@nestjs/common';
import type { Driver } from '@taskflow/platform';
import { AuditQueryService } from './application/audit-query.service';
import { AuditPersistenceModule } from './audit-persistence.module';
import { AuditController } from './http/audit.controller';

export interface AuditModuleOptions {
  readonly driver: Driver;
}

/**
 * The audit log and collaboration records: their storage, and reading them over HTTP. Exports
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
      controllers: [AuditController],
      providers: [AuditQueryService],
      exports: [persistence],
    };
  }
}
