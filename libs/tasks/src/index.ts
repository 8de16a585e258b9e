export * from './application/task.service';
export * from './domain';
export * from './ports/task-change-observer';
export * from './ports/task.repository';
export * from './tasks.module';
