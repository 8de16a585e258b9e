export * from './clock';
export * from './actor';
export * from './domain-error';
export * from './page';
