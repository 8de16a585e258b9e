import type { TaskChanged } from '../domain/task-events';

/**
 * Told about a use case's task changes after they are committed (never about a change that was
 * rolled back). Metrics hang here, so neither the domain nor TaskService knows about them.
 */
export abstract class TaskChangeObserver {
  abstract committed(changes: readonly TaskChanged[]): void;
}
