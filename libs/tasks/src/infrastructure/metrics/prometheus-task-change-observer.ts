import { Injectable } from '@nestjs/common';
import { METRIC } from '@taskflow/platform';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import type { TaskChanged } from '../../domain/task-events';
import { TaskChangeObserver } from '../../ports/task-change-observer';

/** Counts committed task changes in `task_transitions_total{action}`. */
@Injectable()
export class PrometheusTaskChangeObserver extends TaskChangeObserver {
  constructor(
    @InjectMetric(METRIC.taskTransitions) private readonly transitions: Counter<'action'>,
  ) {
    super();
  }

  committed(changes: readonly TaskChanged[]): void {
    for (const change of changes) this.transitions.inc({ action: change.action });
  }
}
