export * from './audit.module';
export * from './domain';
export * from './ports/audit-log.repository';
export * from './ports/collaboration-record.repository';
export * from './ports/task-history-access';
export { EventFeed } from './application/event-feed.service';
export type { TaskEvent } from './application/event-feed.service';
export { EventLogNotifier } from './application/event-log-notifier';
