import { DynamicModule, Module } from '@nestjs/common';
import { bindDriver, Driver } from '@taskflow/platform';
import { MemoryAccountRepository } from './infrastructure/memory/memory-account.repository';
import { AccountDocument, AccountSchema } from './infrastructure/mongo/account.schema';
import { MongoAccountRepository } from './infrastructure/mongo/mongo-account.repository';
import { AccountRepository } from './ports/account.repository';

export interface IdentityPersistenceOptions {
  readonly driver: Driver;
}

/** Binds the identity ports to the adapters of the configured driver. */
@Module({})
export class IdentityPersistenceModule {
  static register(options: IdentityPersistenceOptions): DynamicModule {
    return {
      module: IdentityPersistenceModule,
      ...bindDriver(options.driver, {
        memory: [{ provide: AccountRepository, useClass: MemoryAccountRepository }],
        mongo: {
          models: [{ name: AccountDocument.name, schema: AccountSchema }],
          providers: [{ provide: AccountRepository, useClass: MongoAccountRepository }],
        },
      }),
      exports: [AccountRepository],
    };
  }
}
