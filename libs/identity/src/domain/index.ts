export * from './account';
export * from './credentials';
export * from './password-reset';
export * from './refresh-token';
