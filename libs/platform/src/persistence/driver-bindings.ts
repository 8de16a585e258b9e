import type { DynamicModule, Provider } from '@nestjs/common';
import { ModelDefinition, MongooseModule } from '@nestjs/mongoose';
import type { Driver } from '../config/app-config';

/** One module's adapters for each driver; `bindDriver` keeps the set the config asks for. */
export interface DriverBindings {
  readonly memory: readonly Provider[];
  readonly mongo: {
    /** Mongoose models the Mongo adapters inject. */
    readonly models: readonly ModelDefinition[];
    readonly providers: readonly Provider[];
  };
}

/** The imports and providers of a persistence module for `driver`: the driver switch. */
export function bindDriver(
  driver: Driver,
  bindings: DriverBindings,
): Required<Pick<DynamicModule, 'imports' | 'providers'>> {
  if (driver === 'mongo') {
    return {
      imports: [MongooseModule.forFeature([...bindings.mongo.models])],
      providers: [...bindings.mongo.providers],
    };
  }
  return { imports: [], providers: [...bindings.memory] };
}
