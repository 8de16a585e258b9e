import { DynamicModule, Module } from '@nestjs/common';
import { bindDriver, Driver } from '@taskflow/platform';
import { MemoryTaskRepository } from './infrastructure/memory/memory-task.repository';
import { MongoTaskRepository } from './infrastructure/mongo/mongo-task.repository';
import { TaskDocument, TaskSchema } from './infrastructure/mongo/task.schema';
import { TaskRepository } from './ports/task.repository';

export interface TasksPersistenceOptions {
  readonly driver: Driver;
}

/** Binds the task repository to the adapter of the configured driver. */
@Module({})
export class TasksPersistenceModule {
  static register(options: TasksPersistenceOptions): DynamicModule {
    return {
      module: TasksPersistenceModule,
      ...bindDriver(options.driver, {
        memory: [{ provide: TaskRepository, useClass: MemoryTaskRepository }],
        mongo: {
          models: [{ name: TaskDocument.name, schema: TaskSchema }],
          providers: [{ provide: TaskRepository, useClass: MongoTaskRepository }],
        },
      }),
      exports: [TaskRepository],
    };
  }
}
