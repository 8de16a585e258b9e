import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from './config/app-config';
import { Clock, SystemClock } from './domain/clock';
import { ProblemDetailsFilter } from './http/problem.filter';
import { loggerParams, LoggingOptions } from './observability/logging';
import { METRIC_PROVIDERS } from './observability/metrics';
import { RequestLogContext } from './observability/request-log-context';
import { MemoryUnitOfWork } from './persistence/memory-unit-of-work';
import { MemoryStorageInfo, StorageInfo } from './persistence/storage-info';
import { UnitOfWork } from './persistence/unit-of-work';

export interface PlatformOptions {
  readonly logging?: LoggingOptions;
}

/**
 * What every module shares: validated config, the clock, the unit of work, the error filter,
 * the request logger and the application's metrics.
 */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(config: AppConfig, options: PlatformOptions = {}): DynamicModule {
    return {
      module: PlatformModule,
      imports: [LoggerModule.forRoot(loggerParams(config, options.logging))],
      providers: [
        { provide: AppConfig, useValue: config },
        { provide: Clock, useClass: SystemClock },
        MemoryUnitOfWork,
        { provide: UnitOfWork, useExisting: MemoryUnitOfWork },
        { provide: StorageInfo, useClass: MemoryStorageInfo },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        RequestLogContext,
        ...METRIC_PROVIDERS,
      ],
      exports: [AppConfig, Clock, MemoryUnitOfWork, UnitOfWork, StorageInfo, ...METRIC_PROVIDERS],
    };
  }
}
