import { DynamicModule, Module, ModuleMetadata } from '@nestjs/common';
import { AuditQueryService } from './application/audit-query.service';
import { AuditController } from './http/audit.controller';

export interface AuditModuleOptions {
  /** Modules that provide TaskHistoryAccess and the audit repositories (the Tasks module). */
  readonly imports: NonNullable<ModuleMetadata['imports']>;
}

/** The audit log and collaboration records over HTTP. */
@Module({})
export class AuditModule {
  static register(options: AuditModuleOptions): DynamicModule {
    return {
      module: AuditModule,
      imports: options.imports,
      controllers: [AuditController],
      providers: [AuditQueryService],
    };
  }
}
