import { Injectable } from '@nestjs/common';
import { METRIC } from '@taskflow/platform';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { LoginObserver, LoginResult } from '../../ports/login-observer';

/** Counts login attempts in `logins_total{result}`. */
@Injectable()
export class PrometheusLoginObserver extends LoginObserver {
  constructor(@InjectMetric(METRIC.logins) private readonly logins: Counter<'result'>) {
    super();
  }

  attempted(result: LoginResult): void {
    this.logins.inc({ result });
  }
}
