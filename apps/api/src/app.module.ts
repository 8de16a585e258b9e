import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '@taskflow/audit';
import { HealthModule } from '@taskflow/health';
import { IdentityModule } from '@taskflow/identity';
import { MIGRATIONS } from '@taskflow/migrations';
import {
  AppConfig,
  IdempotencyModule,
  PlatformModule,
  PlatformOptions,
  RateLimitModule,
} from '@taskflow/platform';
import { TasksModule } from '@taskflow/tasks';

/** Wiring only: each module gets the validated config's driver. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, platform: PlatformOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot(config, { ...platform, migrations: MIGRATIONS }),
        IdentityModule.register({ driver: config.driver }),
        // After identity: its actor guard runs first, so the limiter can count by account.
        RateLimitModule.register(config),
        IdempotencyModule.register(config.driver),
        TasksModule.register({ driver: config.driver }),
        AuditModule.register({ driver: config.driver }),
        HealthModule.register({ driver: config.driver }),
      ],
    };
  }
}
