import { DynamicModule, Module } from '@nestjs/common';
import { TaskHistoryAccess } from '@taskflow/audit';
import type { Driver } from '@taskflow/platform';
import { TaskHistoryAccessService } from './application/task-history-access.service';
import { TaskRollForward, TaskRollForwardSweep } from './application/task-roll-forward.service';
import { TaskService } from './application/task.service';
import { TasksController } from './http/tasks.controller';
import { TasksPersistenceModule } from './tasks-persistence.module';
import {
  PrometheusTaskChangeObserver,
  taskTransitionsMetric,
} from './infrastructure/metrics/prometheus-task-change-observer';
import { TaskChangeObserver } from './ports/task-change-observer';

export interface TasksModuleOptions {
  readonly driver: Driver;
}

/**
 * The task workflow. Writes audit entries and records through the ports the (global) Audit
 * module exports, and provides Audit with the history access check, so Audit never imports Tasks.
 */
@Module({})
export class TasksModule {
  static register(options: TasksModuleOptions): DynamicModule {
    return {
      module: TasksModule,
      // Global for one export: Audit asks TaskHistoryAccess without importing this module.
      global: true,
      imports: [TasksPersistenceModule.register({ driver: options.driver })],
      controllers: [TasksController],
      providers: [
        taskTransitionsMetric,
        { provide: TaskChangeObserver, useClass: PrometheusTaskChangeObserver },
        TaskService,
        TaskRollForward,
        TaskRollForwardSweep,
        { provide: TaskHistoryAccess, useClass: TaskHistoryAccessService },
      ],
      exports: [TaskHistoryAccess],
    };
  }
}
