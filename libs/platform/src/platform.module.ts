import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AppConfig } from './config/app-config';
import { Clock, SystemClock } from './domain/clock';
import { ProblemDetailsFilter } from './http/problem.filter';
import { MemoryUnitOfWork } from './persistence/memory-unit-of-work';
import { UnitOfWork } from './persistence/unit-of-work';

/** What every module shares: validated config, the clock, the unit of work and the error filter. */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: PlatformModule,
      providers: [
        { provide: AppConfig, useValue: config },
        { provide: Clock, useClass: SystemClock },
        MemoryUnitOfWork,
        { provide: UnitOfWork, useExisting: MemoryUnitOfWork },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
      ],
      exports: [AppConfig, Clock, MemoryUnitOfWork, UnitOfWork],
    };
  }
}
