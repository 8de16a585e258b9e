// Fixtures for the tests of this and other libraries (`@taskflow/tasks/testing`); not for app code.
export * from './domain/testing/a-task';
export * from './domain/testing/seeded-random';
