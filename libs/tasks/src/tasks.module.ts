import { DynamicModule, Module } from '@nestjs/common';
import { TaskHistoryAccess } from '@taskflow/audit';
import { bindDriver, Driver } from '@taskflow/platform';
import { TaskHistoryAccessService } from './application/task-history-access.service';
import { TaskRollForward, TaskRollForwardSweep } from './application/task-roll-forward.service';
import { TaskService } from './application/task.service';
import { CLAIM_POLL_MS, ClaimSignal, MONGO_CLAIM_POLL_MS } from './application/claim-signal';
import {
  DEFAULT_LEASE_SWEEP_MS,
  LEASE_SWEEP_MS,
  LeaseSweeper,
} from './application/lease-sweeper.service';
import { TasksController } from './http/tasks.controller';
import {
  PrometheusTaskChangeObserver,
  taskTransitionsMetric,
} from './infrastructure/metrics/prometheus-task-change-observer';
import { TaskChangeObserver } from './ports/task-change-observer';
import { MemoryTaskRepository } from './infrastructure/memory/memory-task.repository';
import { TaskRepository } from './ports/task.repository';

type MongoAdapterFile = typeof import('./infrastructure/mongo/mongo-adapters');

export interface TasksModuleOptions {
  readonly driver: Driver;
}

/**
 * Binds the task repository to the adapter of the configured driver: the
 * module's storage, which the contract suites also load on their own.
 */
@Module({})
export class TasksPersistenceModule {
  static register(options: TasksModuleOptions): DynamicModule {
    return {
      module: TasksPersistenceModule,
      ...bindDriver(options.driver, {
        memory: [{ provide: TaskRepository, useClass: MemoryTaskRepository }],
        // Required only for the Mongo driver: it loads mongoose (bench/README.md, "Start-up").
        mongo: () =>
          // eslint-disable-next-line @typescript-eslint/no-require-imports
          (require('./infrastructure/mongo/mongo-adapters') as MongoAdapterFile).mongoAdapters(),
      }),
      exports: [TaskRepository],
    };
  }
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
        ClaimSignal,
        // One process holds every waiter under the memory driver: nothing to poll for.
        { provide: CLAIM_POLL_MS, useValue: options.driver === 'mongo' ? MONGO_CLAIM_POLL_MS : 0 },
        LeaseSweeper,
        { provide: LEASE_SWEEP_MS, useValue: DEFAULT_LEASE_SWEEP_MS },
        TaskRollForward,
        TaskRollForwardSweep,
        { provide: TaskHistoryAccess, useClass: TaskHistoryAccessService },
      ],
      exports: [TaskHistoryAccess],
    };
  }
}
