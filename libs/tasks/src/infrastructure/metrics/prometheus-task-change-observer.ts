import { Injectable } from '@nestjs/common';
import { InjectMetric, makeCounterProvider } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import type { TaskChanged } from '../../domain/task-events';
import { TaskChangeObserver } from '../../ports/task-change-observer';

const TASK_TRANSITIONS = 'task_transitions_total';

/** `task_transitions_total{action}`: create, assign, start, … update, delete (one per audit entry). */
export const taskTransitionsMetric = makeCounterProvider({
  name: TASK_TRANSITIONS,
  help: 'Task changes committed, by action',
  labelNames: ['action'],
});

/** Counts committed task changes in `task_transitions_total{action}`. */
@Injectable()
export class PrometheusTaskChangeObserver extends TaskChangeObserver {
  constructor(@InjectMetric(TASK_TRANSITIONS) private readonly transitions: Counter<'action'>) {
    super();
  }

  committed(changes: readonly TaskChanged[]): void {
    for (const change of changes) this.transitions.inc({ action: change.action });
  }
}
