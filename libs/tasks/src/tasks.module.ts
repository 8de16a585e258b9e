import { DynamicModule, Module } from '@nestjs/common';
import { AuditPersistenceModule, TaskHistoryAccess } from '@taskflow/audit';
import type { Driver } from '@taskflow/platform';
import { TaskHistoryAccessService } from './application/task-history-access.service';
import { TaskRollForward, TaskRollForwardSweep } from './application/task-roll-forward.service';
import { TaskService } from './application/task.service';
import { TasksController } from './http/tasks.controller';
import { TasksPersistenceModule } from './tasks-persistence.module';
import { PrometheusTaskChangeObserver } from './infrastructure/metrics/prometheus-task-change-observer';
import { TaskChangeObserver } from './ports/task-change-observer';

export interface TasksModuleOptions {
  readonly driver: Driver;
}

/**
 * The task workflow. Writes audit entries and records through Audit's ports, and provides
 * Audit with the history access check, so Audit never imports Tasks.
 */
@Module({})
export class TasksModule {
  static register(options: TasksModuleOptions): DynamicModule {
    const auditPersistence = AuditPersistenceModule.register({ driver: options.driver });
    return {
      module: TasksModule,
      imports: [auditPersistence, TasksPersistenceModule.register({ driver: options.driver })],
      controllers: [TasksController],
      providers: [
        { provide: TaskChangeObserver, useClass: PrometheusTaskChangeObserver },
        TaskService,
        TaskRollForward,
        TaskRollForwardSweep,
        { provide: TaskHistoryAccess, useClass: TaskHistoryAccessService },
      ],
      exports: [TaskService, TaskHistoryAccess, auditPersistence],
    };
  }
}
