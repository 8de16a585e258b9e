// For other libraries' tests (`@taskflow/audit/testing`): the memory adapters, as fakes.
export * from './infrastructure/memory/memory-audit-log.repository';
export * from './infrastructure/memory/memory-collaboration-record.repository';
export * from './application/event-log-notifier';
