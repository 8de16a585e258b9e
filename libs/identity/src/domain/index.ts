export * from './account';
export * from './api-key';
export * from './credentials';
export * from './password-reset';
export * from './refresh-token';
export * from './scope';
