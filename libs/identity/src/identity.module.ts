import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { AppConfig } from '@taskflow/platform';
import type { Driver } from '@taskflow/platform';
import { AccountService } from './application/account.service';
import { ActorResolver } from './application/actor-resolver';
import { BootstrapAdminSeeder } from './application/bootstrap-admin.seeder';
import { DevAccountsSeeder } from './application/dev-accounts.seeder';
import { PasswordResetService } from './application/password-reset.service';
import { RefreshTokenSuccessors } from './application/secret-tokens';
import { SessionService } from './application/session.service';
import { PrometheusLoginObserver } from './infrastructure/metrics/prometheus-login-observer';
import { LoginObserver } from './ports/login-observer';
import { ActorGuard } from './http/actor.guard';
import { AuthController } from './http/auth.controller';
import { UsersController } from './http/users.controller';
import { BcryptPasswordHasher } from './infrastructure/crypto/bcrypt-password-hasher';
import { PassportBearerAuthenticator } from './infrastructure/jwt/bearer-authenticator';
import { JwtAccessTokenIssuer } from './infrastructure/jwt/jwt-access-token.issuer';
import { jwtOptions } from './infrastructure/jwt/jwt-options';
import { LogMailer } from './infrastructure/mail/log-mailer';
import { SmtpMailer } from './infrastructure/mail/smtp-mailer';
import { UnconfiguredMailer } from './infrastructure/mail/unconfigured-mailer';
import { IdentityPersistenceModule } from './identity-persistence.module';
import { AccessTokenIssuer } from './ports/access-token-issuer';
import { AccountLookup } from './ports/account-lookup';
import { BearerAuthenticator } from './ports/bearer-authenticator';
import { Mailer } from './ports/mailer';
import { PasswordHasher } from './ports/password-hasher';

export interface IdentityModuleOptions {
  readonly driver: Driver;
}

/** SMTP when configured; else the log in dev mode; else nothing is sent and each miss is logged. */
function mailerFor(config: AppConfig): Mailer {
  if (config.smtpUrl) return new SmtpMailer(config);
  return config.devMode ? new LogMailer() : new UnconfiguredMailer();
}

/** Accounts, authentication and the global actor guard. Exports the AccountLookup port. */
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
      controllers: [AuthController, UsersController],
      providers: [
        { provide: PasswordHasher, useClass: BcryptPasswordHasher },
        { provide: AccessTokenIssuer, useClass: JwtAccessTokenIssuer },
        { provide: Mailer, inject: [AppConfig], useFactory: mailerFor },
        RefreshTokenSuccessors,
        AccountService,
        { provide: AccountLookup, useExisting: AccountService },
        SessionService,
        { provide: LoginObserver, useClass: PrometheusLoginObserver },
        PasswordResetService,
        ActorResolver,
        { provide: BearerAuthenticator, useClass: PassportBearerAuthenticator },
        DevAccountsSeeder,
        BootstrapAdminSeeder,
        { provide: APP_GUARD, useClass: ActorGuard },
      ],
      exports: [AccountLookup],
    };
  }
}
