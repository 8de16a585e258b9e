export * from './idempotency-key';
export * from './idempotency.errors';
