import { Injectable, Logger, OnModuleInit, ServiceUnavailableException } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { HealthCheckResult, HealthCheckService, HealthIndicatorResult } from '@nestjs/terminus';
import { ReadinessIndicator } from '@taskflow/platform';
import { NotReady } from '../domain/not-ready';

/** Runs every ReadinessIndicator of the application, wherever it is provided. */
@Injectable()
export class ReadinessService implements OnModuleInit {
  private readonly logger = new Logger('Readiness');
  private indicators: ReadinessIndicator[] = [];
  private lastReady: boolean | undefined;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly health: HealthCheckService,
  ) {}

  onModuleInit(): void {
    const instances = this.discovery.getProviders().map((wrapper) => wrapper.instance as unknown);
    this.indicators = [
      ...new Set(instances.filter((i): i is ReadinessIndicator => i instanceof ReadinessIndicator)),
    ];
  }

  /** Resolves with terminus's result when every check is up; throws NotReady otherwise. */
  async check(): Promise<HealthCheckResult> {
    let result: HealthCheckResult;
    try {
      result = await this.health.check(this.indicators.map((i) => () => this.run(i)));
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      result = error.getResponse() as HealthCheckResult;
    }
    const failing = Object.keys(result.error ?? {});
    const ready = result.status !== 'error' && result.status !== 'shutting_down';
    this.noteChange(ready, failing);
    if (!ready) throw new NotReady(failing.length > 0 ? failing : [result.status], result.details);
    return result;
  }

  /** A check that throws counts as down instead of failing the probe with a 500. */
  private async run(indicator: ReadinessIndicator): Promise<HealthIndicatorResult> {
    try {
      return await indicator.check();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { [indicator.constructor.name]: { status: 'down', message } };
    }
  }

  /** Logs when readiness flips, rather than on every probe. */
  private noteChange(ready: boolean, failing: string[]): void {
    if (ready === this.lastReady) return;
    if (ready) this.logger.log('Ready');
    else this.logger.warn(`Not ready: ${failing.join(', ') || 'shutting down'}`);
    this.lastReady = ready;
  }
}
