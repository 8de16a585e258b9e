import type { DynamicModule, Provider } from '@nestjs/common';
import type { ModelDefinition } from '@nestjs/mongoose';
import type { Driver } from '../config/app-config';

type Imports = NonNullable<DynamicModule['imports']>;
type Exports = NonNullable<DynamicModule['exports']>;

/** What one driver adds to a module: its adapters, and what they need or offer beyond its ports. */
export interface DriverAdapters {
  readonly providers: readonly Provider[];
  /** Mongoose models the Mongo adapters inject. */
  readonly models?: readonly ModelDefinition[];
  /** Other modules the adapters need (the kernel's Mongo connection). */
  readonly imports?: Imports;
  /** Driver-specific exports, beside the ports the module always exports. */
  readonly exports?: Exports;
}

/**
 * One module's adapters for each driver; `bindDriver` keeps the set the config asks for. The
 * Mongo adapters are a function, called only for the Mongo driver: it `require`s them (they load
 * mongoose and the mongodb driver, which the memory driver never needs; bench/README.md,
 * "Start-up").
 */
export interface DriverBindings {
  readonly memory: readonly Provider[] | DriverAdapters;
  readonly mongo: () => DriverAdapters;
}

/** The imports, providers and driver-specific exports of a module for `driver`: the driver switch. */
export function bindDriver(
  driver: Driver,
  bindings: DriverBindings,
): Required<Pick<DynamicModule, 'imports' | 'providers' | 'exports'>> {
  const chosen: DriverAdapters =
    driver === 'mongo'
      ? bindings.mongo()
      : 'providers' in bindings.memory
        ? bindings.memory
        : { providers: bindings.memory };
  const models = chosen.models ?? [];
  return {
    imports: [...(chosen.imports ?? []), ...(models.length > 0 ? [mongooseFeature(models)] : [])],
    providers: [...chosen.providers],
    exports: [...(chosen.exports ?? [])],
  };
}

/**
 * The models as Mongoose's feature module. `require`d, not imported: @nestjs/mongoose loads
 * mongoose, and only the Mongo adapters, called for the Mongo driver alone, have models.
 */
function mongooseFeature(models: readonly ModelDefinition[]): DynamicModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { MongooseModule } = require('@nestjs/mongoose') as typeof import('@nestjs/mongoose');
  return MongooseModule.forFeature([...models]);
}
