import type { DynamicModule, Provider } from '@nestjs/common';
import { ModelDefinition, MongooseModule } from '@nestjs/mongoose';
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

/** One module's adapters for each driver; `bindDriver` keeps the set the config asks for. */
export interface DriverBindings {
  readonly memory: readonly Provider[] | DriverAdapters;
  readonly mongo: DriverAdapters;
}

/** The imports, providers and driver-specific exports of a module for `driver`: the driver switch. */
export function bindDriver(
  driver: Driver,
  bindings: DriverBindings,
): Required<Pick<DynamicModule, 'imports' | 'providers' | 'exports'>> {
  const chosen: DriverAdapters =
    driver === 'mongo'
      ? bindings.mongo
      : 'providers' in bindings.memory
        ? bindings.memory
        : { providers: bindings.memory };
  const models = chosen.models ?? [];
  return {
    imports: [
      ...(chosen.imports ?? []),
      ...(models.length > 0 ? [MongooseModule.forFeature([...models])] : []),
    ],
    providers: [...chosen.providers],
    exports: [...(chosen.exports ?? [])],
  };
}
