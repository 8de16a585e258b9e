import type { DriverAdapters } from '@taskflow/platform';
import { TaskRepository } from '../../ports/task.repository';
import { MongoTaskRepository } from './mongo-task.repository';
import { TaskDocument, TaskSchema } from './task.schema';

/** The Mongo storage of tasks; TasksPersistenceModule requires this file only for that driver. */
export function mongoAdapters(): DriverAdapters {
  return {
    models: [{ name: TaskDocument.name, schema: TaskSchema }],
    providers: [{ provide: TaskRepository, useClass: MongoTaskRepository }],
  };
}
