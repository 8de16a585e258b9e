import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Logger as NestPinoLogger } from 'nestjs-pino';
import { AppConfig } from './config/app-config';
import { Clock, SystemClock } from './domain/clock';
import { ProblemDetailsFilter } from './http/problem.filter';
import { LoggingOptions, nestLogger } from './observability/logging';
import { Checkpoints, MemoryCheckpoints } from './persistence/checkpoints';
import { bindDriver } from './persistence/driver-bindings';
import type { Migration } from './persistence/migration';
import { MigrationCheck, NoMigrations } from './persistence/migration-check';
import { MemoryUnitOfWork } from './persistence/memory-unit-of-work';
import { MemoryStorageInfo, StorageInfo } from './persistence/storage-info';
import { UnitOfWork } from './persistence/unit-of-work';

type MongoAdapterFile = typeof import('./persistence/mongo/mongo-adapters');

export interface PlatformOptions {
  /** The migrations this build expects in the database (Mongo driver). */
  readonly migrations?: readonly Migration[];
  readonly logging?: LoggingOptions;
}

/**
 * What every module shares: validated config, the clock, the error filter, the request logger,
 * and the driver's unit of work, checkpoints, migration check and storage facts (plus, for Mongo, the connection and topology).
 */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(config: AppConfig, options: PlatformOptions = {}): DynamicModule {
    const common: Provider[] = [
      { provide: AppConfig, useValue: config },
      { provide: Clock, useClass: SystemClock },
      { provide: APP_FILTER, useClass: ProblemDetailsFilter },
      { provide: NestPinoLogger, useFactory: () => nestLogger(config, options.logging) },
    ];
    const shared = [
      AppConfig,
      Clock,
      UnitOfWork,
      Checkpoints,
      MigrationCheck,
      StorageInfo,
      NestPinoLogger,
    ];
    const adapters = bindDriver(config.driver, {
      memory: {
        providers: [
          MemoryUnitOfWork,
          { provide: UnitOfWork, useExisting: MemoryUnitOfWork },
          { provide: Checkpoints, useClass: MemoryCheckpoints },
          { provide: MigrationCheck, useClass: NoMigrations },
          { provide: StorageInfo, useClass: MemoryStorageInfo },
        ],
        exports: [MemoryUnitOfWork],
      },
      // Required only for the Mongo driver: it loads mongoose (bench/README.md, "Start-up").
      mongo: () =>
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        (require('./persistence/mongo/mongo-adapters') as MongoAdapterFile).mongoAdapters(
          config,
          options.migrations ?? [],
        ),
    });
    return {
      module: PlatformModule,
      imports: adapters.imports,
      providers: [...common, ...adapters.providers],
      exports: [...shared, ...adapters.exports],
    };
  }
}
