import type { DriverAdapters } from '@taskflow/platform';
import { AccountRepository } from '../../ports/account.repository';
import { ApiKeyRepository } from '../../ports/api-key.repository';
import { PasswordResetTokenRepository } from '../../ports/password-reset-token.repository';
import { RefreshTokenRepository } from '../../ports/refresh-token.repository';
import { AccountDocument, AccountSchema } from './account.schema';
import { ApiKeyDocument, ApiKeySchema } from './api-key.schema';
import { MongoAccountRepository } from './mongo-account.repository';
import { MongoApiKeyRepository } from './mongo-api-key.repository';
import { MongoPasswordResetTokenRepository } from './mongo-password-reset-token.repository';
import { MongoRefreshTokenRepository } from './mongo-refresh-token.repository';
import {
  PasswordResetTokenDocument,
  PasswordResetTokenSchema,
  PasswordResetUseDocument,
  PasswordResetUseSchema,
} from './password-reset-token.schema';
import {
  RefreshFamilyDocument,
  RefreshFamilySchema,
  RefreshTokenDocument,
  RefreshTokenSchema,
} from './refresh-token.schema';

/** The Mongo storage of identity; IdentityPersistenceModule requires this file only for that driver. */
export function mongoAdapters(): DriverAdapters {
  return {
    models: [
      { name: AccountDocument.name, schema: AccountSchema },
      { name: RefreshFamilyDocument.name, schema: RefreshFamilySchema },
      { name: RefreshTokenDocument.name, schema: RefreshTokenSchema },
      { name: PasswordResetTokenDocument.name, schema: PasswordResetTokenSchema },
      { name: PasswordResetUseDocument.name, schema: PasswordResetUseSchema },
      { name: ApiKeyDocument.name, schema: ApiKeySchema },
    ],
    providers: [
      { provide: AccountRepository, useClass: MongoAccountRepository },
      { provide: RefreshTokenRepository, useClass: MongoRefreshTokenRepository },
      { provide: PasswordResetTokenRepository, useClass: MongoPasswordResetTokenRepository },
      { provide: ApiKeyRepository, useClass: MongoApiKeyRepository },
    ],
  };
}
