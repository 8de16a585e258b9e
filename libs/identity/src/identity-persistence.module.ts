import { DynamicModule, Module } from '@nestjs/common';
import { bindDriver, Driver } from '@taskflow/platform';
import { MemoryAccountRepository } from './infrastructure/memory/memory-account.repository';
import { MemoryPasswordResetTokenRepository } from './infrastructure/memory/memory-password-reset-token.repository';
import { MemoryRefreshTokenRepository } from './infrastructure/memory/memory-refresh-token.repository';
import { AccountDocument, AccountSchema } from './infrastructure/mongo/account.schema';
import { MongoAccountRepository } from './infrastructure/mongo/mongo-account.repository';
import { MongoPasswordResetTokenRepository } from './infrastructure/mongo/mongo-password-reset-token.repository';
import { MongoRefreshTokenRepository } from './infrastructure/mongo/mongo-refresh-token.repository';
import {
  PasswordResetTokenDocument,
  PasswordResetTokenSchema,
  PasswordResetUseDocument,
  PasswordResetUseSchema,
} from './infrastructure/mongo/password-reset-token.schema';
import {
  RefreshFamilyDocument,
  RefreshFamilySchema,
  RefreshTokenDocument,
  RefreshTokenSchema,
} from './infrastructure/mongo/refresh-token.schema';
import { AccountRepository } from './ports/account.repository';
import { PasswordResetTokenRepository } from './ports/password-reset-token.repository';
import { RefreshTokenRepository } from './ports/refresh-token.repository';

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
        memory: [
          { provide: AccountRepository, useClass: MemoryAccountRepository },
          { provide: RefreshTokenRepository, useClass: MemoryRefreshTokenRepository },
          { provide: PasswordResetTokenRepository, useClass: MemoryPasswordResetTokenRepository },
        ],
        mongo: {
          models: [
            { name: AccountDocument.name, schema: AccountSchema },
            { name: RefreshFamilyDocument.name, schema: RefreshFamilySchema },
            { name: RefreshTokenDocument.name, schema: RefreshTokenSchema },
            { name: PasswordResetTokenDocument.name, schema: PasswordResetTokenSchema },
            { name: PasswordResetUseDocument.name, schema: PasswordResetUseSchema },
          ],
          providers: [
            { provide: AccountRepository, useClass: MongoAccountRepository },
            { provide: RefreshTokenRepository, useClass: MongoRefreshTokenRepository },
            { provide: PasswordResetTokenRepository, useClass: MongoPasswordResetTokenRepository },
          ],
        },
      }),
      exports: [AccountRepository, RefreshTokenRepository, PasswordResetTokenRepository],
    };
  }
}
