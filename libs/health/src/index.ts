export * from './application/shutdown-state';
export * from './health.module';
export * from './http/graceful-shutdown';
