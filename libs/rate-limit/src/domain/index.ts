export * from './login-limits';
export * from './rate-limit';
