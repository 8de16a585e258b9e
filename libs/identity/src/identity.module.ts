import { DynamicModule, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { AppConfig, bindDriver, Driver } from '@taskflow/platform';
import { AccountService } from './application/account.service';
import { ApiKeyService } from './application/api-key.service';
import { ActorResolver } from './application/actor-resolver';
import { BootstrapAdminSeeder } from './application/bootstrap-admin.seeder';
import { DevAccountsSeeder } from './application/dev-accounts.seeder';
import { PasswordResetService } from './application/password-reset.service';
import { RefreshTokenSuccessors } from './application/secret-tokens';
import { SessionService } from './application/session.service';
import {
  loginsMetric,
  PrometheusLoginObserver,
} from './infrastructure/metrics/prometheus-login-observer';
import { LoginObserver } from './ports/login-observer';
import { ActorGuard } from './http/actor.guard';
import { ApiKeysController } from './http/api-keys.controller';
import { AuthController } from './http/auth.controller';
import { UsersController } from './http/users.controller';
import { BcryptPasswordHasher } from './infrastructure/crypto/bcrypt-password-hasher';
import { PassportBearerAuthenticator } from './infrastructure/jwt/bearer-authenticator';
import { JwtAccessTokenIssuer } from './infrastructure/jwt/jwt-access-token.issuer';
import { jwtOptions } from './infrastructure/jwt/jwt-options';
import { LogMailer } from './infrastructure/mail/log-mailer';
import { SmtpMailer } from './infrastructure/mail/smtp-mailer';
import { UnconfiguredMailer } from './infrastructure/mail/unconfigured-mailer';
import { AccessTokenIssuer } from './ports/access-token-issuer';
import { AccountLookup } from './ports/account-lookup';
import { BearerAuthenticator } from './ports/bearer-authenticator';
import { Mailer } from './ports/mailer';
import { PasswordHasher } from './ports/password-hasher';
import { MemoryApiKeyRepository } from './infrastructure/memory/memory-api-key.repository';
import { MemoryAccountRepository } from './infrastructure/memory/memory-account.repository';
import { MemoryPasswordResetTokenRepository } from './infrastructure/memory/memory-password-reset-token.repository';
import { MemoryRefreshTokenRepository } from './infrastructure/memory/memory-refresh-token.repository';
import { AccountRepository } from './ports/account.repository';
import { ApiKeyRepository } from './ports/api-key.repository';
import { PasswordResetTokenRepository } from './ports/password-reset-token.repository';
import { RefreshTokenRepository } from './ports/refresh-token.repository';

type MongoAdapterFile = typeof import('./infrastructure/mongo/mongo-adapters');

export interface IdentityModuleOptions {
  readonly driver: Driver;
}

/**
 * Binds the identity ports to the adapters of the configured driver: the
 * module's storage, which the contract suites also load on their own.
 */
@Module({})
export class IdentityPersistenceModule {
  static register(options: IdentityModuleOptions): DynamicModule {
    return {
      module: IdentityPersistenceModule,
      ...bindDriver(options.driver, {
        memory: [
          { provide: AccountRepository, useClass: MemoryAccountRepository },
          { provide: RefreshTokenRepository, useClass: MemoryRefreshTokenRepository },
          { provide: PasswordResetTokenRepository, useClass: MemoryPasswordResetTokenRepository },
          { provide: ApiKeyRepository, useClass: MemoryApiKeyRepository },
        ],
        // Required only for the Mongo driver: it loads mongoose (bench/README.md, "Start-up").
        mongo: () =>
          // eslint-disable-next-line @typescript-eslint/no-require-imports
          (require('./infrastructure/mongo/mongo-adapters') as MongoAdapterFile).mongoAdapters(),
      }),
      exports: [
        AccountRepository,
        RefreshTokenRepository,
        PasswordResetTokenRepository,
        ApiKeyRepository,
      ],
    };
  }
}

/** SMTP when configured; else the log in dev mode; else nothing is sent and each miss is logged. */
function mailerFor(config: AppConfig): Mailer {
  if (config.smtpUrl) return new SmtpMailer(config);
  return config.devMode ? new LogMailer() : new UnconfiguredMailer();
}

/**
 * Accounts and authentication. Exports the AccountLookup port and the actor guard, which the app
 * runs as the pipeline's authentication step.
 */
@Module({})
export class IdentityModule {
  static register(options: IdentityModuleOptions): DynamicModule {
    return {
      module: IdentityModule,
      // Global: the actor guard and AccountLookup serve every module.
      global: true,
      imports: [
        IdentityPersistenceModule.register({ driver: options.driver }),
        JwtModule.registerAsync({ inject: [AppConfig], useFactory: jwtOptions }),
      ],
      controllers: [AuthController, UsersController, ApiKeysController],
      providers: [
        { provide: PasswordHasher, useClass: BcryptPasswordHasher },
        { provide: AccessTokenIssuer, useClass: JwtAccessTokenIssuer },
        { provide: Mailer, inject: [AppConfig], useFactory: mailerFor },
        RefreshTokenSuccessors,
        AccountService,
        { provide: AccountLookup, useExisting: AccountService },
        SessionService,
        loginsMetric,
        { provide: LoginObserver, useClass: PrometheusLoginObserver },
        PasswordResetService,
        ActorResolver,
        ApiKeyService,
        { provide: BearerAuthenticator, useClass: PassportBearerAuthenticator },
        DevAccountsSeeder,
        BootstrapAdminSeeder,
        ActorGuard,
      ],
      exports: [AccountLookup, ActorGuard],
    };
  }
}
