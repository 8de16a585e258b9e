import type { HealthIndicatorResult } from '@nestjs/terminus';

/**
 * One check behind /readyz. Any provider in the application that extends this class is found
 * at start-up and run on every /readyz; the instance is ready when all of them are up. Build
 * the result with @nestjs/terminus (import TerminusModule, inject HealthIndicatorService):
 * `this.health.check('mongo').attempt(() => this.ping()).withTimeout(1000)`.
 */
export abstract class ReadinessIndicator {
  abstract check(): PromiseLike<HealthIndicatorResult> | HealthIndicatorResult;
}
