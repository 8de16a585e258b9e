import { Injectable } from '@nestjs/common';
import {
  InjectMetric,
  makeCounterProvider,
  makeGaugeProvider,
  makeHistogramProvider,
} from '@willsoto/nestjs-prometheus';
import type { Counter, Gauge, Histogram } from 'prom-client';
import { AttemptResult, DeliveryObserver } from '../../application/delivery-observer';

export const deliveriesMetric = makeCounterProvider({
  name: 'webhook_deliveries_total',
  help: 'Webhook delivery attempts by result: succeeded, retrying (failed, retry owed), failed (last)',
  labelNames: ['result'],
});
export const deliveryDurationMetric = makeHistogramProvider({
  name: 'webhook_delivery_duration_seconds',
  help: 'Time from sending a webhook to its answer (or timeout)',
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
});
export const backlogMetric = makeGaugeProvider({
  name: 'webhook_backlog',
  help: 'Webhook deliveries owed and not yet finished (all instances)',
});

@Injectable()
export class PrometheusDeliveryObserver extends DeliveryObserver {
  constructor(
    @InjectMetric('webhook_deliveries_total') private readonly deliveries: Counter<string>,
    @InjectMetric('webhook_delivery_duration_seconds') private readonly duration: Histogram,
    @InjectMetric('webhook_backlog') private readonly pending: Gauge,
  ) {
    super();
  }

  attempted(result: AttemptResult, durationSeconds: number): void {
    this.deliveries.inc({ result });
    this.duration.observe(durationSeconds);
  }

  backlog(pending: number): void {
    this.pending.set(pending);
  }
}
