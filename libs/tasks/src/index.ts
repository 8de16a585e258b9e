export * from './application/task.service';
export * from './domain';
export * from './ports/task-change-observer';
export * from './ports/task.repository';
export * from './tasks.module';
export * from './application/task-roll-forward.service';
export * from './application/lease-sweeper.service';
export * from './application/claim-signal';
