import { DynamicModule, Module, OnModuleInit } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { bindDriver, Driver } from '@taskflow/platform';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { MigrationsIndicator } from './application/migrations.indicator';
import { ReadinessService } from './application/readiness.service';
import { ServingIndicator } from './application/serving.indicator';
import { ShutdownState } from './application/shutdown-state';
import { GracefulShutdown } from './http/graceful-shutdown';
import { HttpMetrics, httpRequestDurationMetric } from './http/http-metrics';
import { collectProcessMetrics, MetricsController } from './http/metrics.controller';
import { ProbesController } from './http/probes.controller';

type MongoIndicatorFile = typeof import('./application/mongo.indicator');

export interface HealthModuleOptions {
  readonly driver: Driver;
}

/**
 * Probes (/livez, /readyz, /health), the Prometheus endpoint (/metrics), the HTTP duration
 * histogram and graceful shutdown. Readiness runs every ReadinessIndicator in the application.
 */
@Module({
  imports: [
    DiscoveryModule,
    // Readiness logs its own transitions; terminus would log every failed probe.
    TerminusModule.forRoot({ logger: false }),
    // Process metrics are registered once per process by collectProcessMetrics.
    PrometheusModule.register({
      controller: MetricsController,
      path: '/metrics',
      defaultMetrics: { enabled: false },
    }),
  ],
  controllers: [ProbesController],
  providers: [
    ShutdownState,
    ServingIndicator,
    ReadinessService,
    GracefulShutdown,
    httpRequestDurationMetric,
    HttpMetrics,
  ],
  exports: [ShutdownState, GracefulShutdown],
})
export class HealthModule implements OnModuleInit {
  /** With the Mongo driver, readiness also pings the database. */
  static register(options: HealthModuleOptions): DynamicModule {
    const adapters = bindDriver(options.driver, {
      memory: [],
      // Required only for the Mongo driver: it loads mongoose (bench/README.md, "Start-up").
      mongo: () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { MongoIndicator } = require('./application/mongo.indicator') as MongoIndicatorFile;
        return { providers: [MongoIndicator] };
      },
    });
    return {
      module: HealthModule,
      imports: adapters.imports,
      providers: [MigrationsIndicator, ...adapters.providers],
    };
  }

  onModuleInit(): void {
    collectProcessMetrics();
  }
}
