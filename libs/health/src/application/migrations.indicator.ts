import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { MigrationCheck, ReadinessIndicator } from '@taskflow/platform';

/** Not ready while the database lacks a migration this build expects. */
@Injectable()
export class MigrationsIndicator extends ReadinessIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly migrations: MigrationCheck,
  ) {
    super();
  }

  async check(): Promise<HealthIndicatorResult> {
    const session = this.health.check('migrations');
    const pending = await this.migrations.pending();
    return pending.length === 0 ? session.up() : session.down({ pending });
  }
}
