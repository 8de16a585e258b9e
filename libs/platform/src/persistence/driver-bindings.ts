import type { DynamicModule, Provider } from '@nestjs/common';
import type { Driver } from '../config/app-config';

type Imports = NonNullable<DynamicModule['imports']>;
type Exports = NonNullable<DynamicModule['exports']>;

/** What one driver adds to a module: its adapters, and what they need or offer beyond its ports. */
export interface DriverAdapters {
  readonly providers: readonly Provider[];
  /** Other modules the adapters need (the kernel's Mongo connection, Mongoose models). */
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
  return {
    imports: [...(chosen.imports ?? [])],
    providers: [...chosen.providers],
    exports: [...(chosen.exports ?? [])],
  };
}
