export * from './audit-entry';
export * from './collaboration-record';
export * from './event';
