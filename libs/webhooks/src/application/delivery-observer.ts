export type AttemptResult = 'succeeded' | 'retrying' | 'failed';

/** Where the dispatcher reports what it did (Prometheus in the app, nothing in unit tests). */
export abstract class DeliveryObserver {
  abstract attempted(result: AttemptResult, durationSeconds: number): void;
  abstract backlog(pending: number): Promise<void> | void;
}

export class NoDeliveryObserver extends DeliveryObserver {
  attempted(): void {}
  backlog(): void {}
}
