export * from './task-errors';
export * from './task-events';
export * from './task-rules';
export * from './task-status';
export * from './task.entity';
export * from './task-state-record';
export * from './task-order';
