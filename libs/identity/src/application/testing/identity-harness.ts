import { LoginObserver, LoginResult } from '../../ports/login-observer';
import { JwtService } from '@nestjs/jwt';
import { AppConfig, loadConfig, ManualClock, MemoryUnitOfWork } from '@taskflow/platform';
import { BcryptPasswordHasher } from '../../infrastructure/crypto/bcrypt-password-hasher';
import { claimsOf } from '../../infrastructure/jwt/access-token.payload';
import { JwtAccessTokenIssuer } from '../../infrastructure/jwt/jwt-access-token.issuer';
import { jwtOptions } from '../../infrastructure/jwt/jwt-options';
import { MemoryAccountRepository } from '../../infrastructure/memory/memory-account.repository';
import { MemoryPasswordResetTokenRepository } from '../../infrastructure/memory/memory-password-reset-token.repository';
import { MemoryRefreshTokenRepository } from '../../infrastructure/memory/memory-refresh-token.repository';
import { Mailer, MailMessage } from '../../ports/mailer';
import { AccountService } from '../account.service';
import { ActorResolver } from '../actor-resolver';
import { PasswordResetService } from '../password-reset.service';
import { hashSecretToken, RefreshTokenSuccessors } from '../secret-tokens';
import { SessionService, TokenPair } from '../session.service';

export const PASSWORD = 'correct horse battery';
export const START = new Date('2030-04-01T08:00:00.000Z');

/** Keeps what it was asked to send; `failWith` makes the next sends fail. */
export class RecordingMailer extends Mailer {
  readonly sent: MailMessage[] = [];
  failWith: Error | null = null;

  async send(message: MailMessage): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.sent.push(message);
  }
}

export class RecordingLoginObserver extends LoginObserver {
  readonly results: LoginResult[] = [];

  attempted(result: LoginResult): void {
    this.results.push(result);
  }
}

/** The identity services on the memory adapters, a manual clock and bcrypt at its lowest cost. */
export async function identityHarness(env: Record<string, string> = {}) {
  const config: AppConfig = loadConfig({
    NODE_ENV: 'test',
    BCRYPT_COST: '4',
    JWT_SECRET: 'harness-secret-that-is-at-least-32-bytes',
    ...env,
  });
  const clock = new ManualClock(START);
  const unitOfWork = new MemoryUnitOfWork();
  const accounts = new MemoryAccountRepository(unitOfWork);
  const refreshTokens = new MemoryRefreshTokenRepository(unitOfWork);
  const resetTokens = new MemoryPasswordResetTokenRepository(unitOfWork);
  const hasher = new BcryptPasswordHasher(config);
  const mailer = new RecordingMailer();
  const jwt = new JwtService(jwtOptions(config));
  const logins = new RecordingLoginObserver();
  const sessions = new SessionService(
    accounts,
    refreshTokens,
    hasher,
    new JwtAccessTokenIssuer(jwt, config),
    new RefreshTokenSuccessors(config),
    unitOfWork,
    clock,
    config,
    logins,
  );
  await sessions.onModuleInit();
  const passwordReset = new PasswordResetService(
    accounts,
    resetTokens,
    refreshTokens,
    hasher,
    mailer,
    unitOfWork,
    clock,
    config,
  );
  const accountService = new AccountService(accounts, refreshTokens, hasher, unitOfWork, clock);
  const resolver = new ActorResolver(config, accounts);
  const claimsIn = (accessToken: string) => {
    const claims = claimsOf(jwt.verify(accessToken));
    if (!claims) throw new Error('the token lacks a claim');
    return claims;
  };

  return {
    config,
    clock,
    jwt,
    accounts,
    refreshTokens,
    resetTokens,
    mailer,
    logins,
    sessions,
    passwordReset,
    accountService,
    resolver,
    /** Registers a human with PASSWORD and an email address. */
    register: (id = 'u_carol', email: string | null = `${id}@example.test`) =>
      accountService.register({ id, name: id, role: 'human', password: PASSWORD, email }),
    /** The claims of an access token, as the bearer strategy hands them on once verified. */
    claimsIn,
    /** What a token pair holds: whose access token, for how long, and which stored refresh token. */
    sessionOf: async (pair: TokenPair) => {
      const { accountId, role } = claimsIn(pair.accessToken);
      const refresh = await refreshTokens.findByHash(hashSecretToken(pair.refreshToken));
      return {
        accountId,
        role,
        expiresInSeconds: pair.expiresInSeconds,
        refresh: refresh && { accountId: refresh.accountId, generation: refresh.generation },
      };
    },
  };
}

export type IdentityHarness = Awaited<ReturnType<typeof identityHarness>>;
