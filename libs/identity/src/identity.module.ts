import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { Driver } from '@taskflow/platform';
import { AccountService } from './application/account.service';
import { ActorResolver } from './application/actor-resolver';
import { DevAccountsSeeder } from './application/dev-accounts.seeder';
import { ActorGuard } from './http/actor.guard';
import { UsersController } from './http/users.controller';
import { BcryptPasswordHasher } from './infrastructure/crypto/bcrypt-password-hasher';
import { IdentityPersistenceModule } from './identity-persistence.module';
import { AccountLookup } from './ports/account-lookup';
import { PasswordHasher } from './ports/password-hasher';

export interface IdentityModuleOptions {
  readonly driver: Driver;
}

/** Accounts, authentication and the global actor guard. Exports the AccountLookup port. */
@Module({})
export class IdentityModule {
  static register(options: IdentityModuleOptions): DynamicModule {
    return {
      module: IdentityModule,
      // Global: the actor guard and AccountLookup serve every module.
      global: true,
      imports: [IdentityPersistenceModule.register({ driver: options.driver })],
      controllers: [UsersController],
      providers: [
        { provide: PasswordHasher, useClass: BcryptPasswordHasher },
        AccountService,
        { provide: AccountLookup, useExisting: AccountService },
        ActorResolver,
        DevAccountsSeeder,
        { provide: APP_GUARD, useClass: ActorGuard },
      ],
      exports: [AccountLookup],
    };
  }
}
