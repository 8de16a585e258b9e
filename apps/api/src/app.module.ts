import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuditModule } from '@taskflow/audit';
import { HealthModule } from '@taskflow/health';
import { IdempotencyModule } from '@taskflow/idempotency';
import { IdentityModule } from '@taskflow/identity';
import { MIGRATIONS } from '@taskflow/migrations';
import { AppConfig, PlatformModule, PlatformOptions } from '@taskflow/platform';
import { RateLimitModule } from '@taskflow/rate-limit';
import { TasksModule } from '@taskflow/tasks';
import { WebhooksModule } from '@taskflow/webhooks';
import { RequestPipelineGuard } from './request-pipeline.guard';

/** Wiring only: each module gets the validated config's driver. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, platform: PlatformOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot(config, { ...platform, migrations: MIGRATIONS }),
        IdentityModule.register({ driver: config.driver }),
        RateLimitModule.register({ driver: config.driver }),
        IdempotencyModule.register({ driver: config.driver }),
        TasksModule.register({ driver: config.driver }),
        AuditModule.register({ driver: config.driver }),
        HealthModule.register({ driver: config.driver }),
        WebhooksModule.register({ driver: config.driver }),
      ],
      // The only global guard: the request pipeline's steps in one order (docs/DECISIONS.md,
      // "Request pipeline"), whatever the order of the imports above.
      providers: [{ provide: APP_GUARD, useClass: RequestPipelineGuard }],
    };
  }
}
