import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { ReadinessIndicator } from '@taskflow/platform';
import { ShutdownState } from './shutdown-state';

/** Down from the moment shutdown begins, so load balancers stop sending new requests. */
@Injectable()
export class ServingIndicator extends ReadinessIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly shutdown: ShutdownState,
  ) {
    super();
  }

  check(): HealthIndicatorResult {
    const session = this.health.check('serving');
    return this.shutdown.isShuttingDown ? session.down('shutting down') : session.up();
  }
}
