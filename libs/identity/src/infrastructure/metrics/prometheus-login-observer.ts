import { Injectable } from '@nestjs/common';
import { InjectMetric, makeCounterProvider } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { LoginObserver, LoginResult } from '../../ports/login-observer';

const LOGINS = 'logins_total';

/** `logins_total{result}`: success or invalid_credentials (login answers every refusal alike). */
export const loginsMetric = makeCounterProvider({
  name: LOGINS,
  help: 'Login attempts, by result',
  labelNames: ['result'],
});

/** Counts login attempts in `logins_total{result}`. */
@Injectable()
export class PrometheusLoginObserver extends LoginObserver {
  constructor(@InjectMetric(LOGINS) private readonly logins: Counter<'result'>) {
    super();
  }

  attempted(result: LoginResult): void {
    this.logins.inc({ result });
  }
}
