import { Injectable, OnModuleInit } from '@nestjs/common';
import { AppConfig, Clock, newId, UnitOfWork } from '@taskflow/platform';
import {
  AccountState,
  exceedsBcryptLimit,
  expiredFamilyMarks,
  issuedAfterRevocation,
  mintedUnderCurrentEpoch,
  sessionStart,
} from '../domain/account';
import { InvalidCredentials } from '../domain/credentials';
import { LoginObserver } from '../ports/login-observer';
import {
  InvalidRefreshToken,
  isRefreshTokenExpired,
  RefreshToken,
  RefreshTokenAlreadyRotated,
  RefreshTokenReused,
  withinGraceWindow,
} from '../domain/refresh-token';
import { AccessTokenIssuer } from '../ports/access-token-issuer';
import { AccountRepository } from '../ports/account.repository';
import { PasswordHasher } from '../ports/password-hasher';
import { RefreshTokenRepository } from '../ports/refresh-token.repository';
import { hashSecretToken, newSecretToken, RefreshTokenSuccessors } from './secret-tokens';

export interface TokenPair {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly expiresInSeconds: number;
}

/** Login and refresh: access tokens (JWT) and rotating refresh-token families. */
@Injectable()
export class SessionService implements OnModuleInit {
  /** Compared against when there is no account, so that case costs one bcrypt like the others. */
  private dummyHash = '';

  constructor(
    private readonly accounts: AccountRepository,
    private readonly refreshTokens: RefreshTokenRepository,
    private readonly hasher: PasswordHasher,
    private readonly accessTokens: AccessTokenIssuer,
    private readonly successors: RefreshTokenSuccessors,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly observer: LoginObserver,
  ) {}

  async onModuleInit(): Promise<void> {
    this.dummyHash = await this.hasher.hash(newSecretToken());
  }

  /**
   * An unknown account, a wrong password and a disabled account all cost one bcrypt comparison
   * and end in the same InvalidCredentials.
   */
  async login(id: string, password: string): Promise<TokenPair> {
    // Taken before the account is read: a revocation that lands after this read, while bcrypt
    // runs, is then later than the session and still covers it.
    const now = this.clock.now();
    const account = await this.accounts.findById(id);
    const matches = await this.hasher.verify(password, account?.passwordHash ?? this.dummyHash);
    if (
      !account?.passwordHash ||
      !matches ||
      exceedsBcryptLimit(password) ||
      account.status !== 'active'
    ) {
      this.observer.attempted('invalid_credentials');
      throw new InvalidCredentials();
    }
    const startedAt = sessionStart(account, now);
    const token = newSecretToken();
    const first = this.refreshRecord(newId('rf'), 0, account.id, token, startedAt);
    await this.unitOfWork.run(() =>
      this.refreshTokens.startFamily(
        {
          id: first.familyId,
          accountId: account.id,
          createdAt: startedAt,
          revokedAt: null,
          sessionEpoch: account.sessionEpoch,
        },
        first,
      ),
    );
    this.observer.attempted('success');
    return this.pair(account, first.familyId, token, startedAt);
  }

  /**
   * Rotates a refresh token. The successor's insert under (family, generation + 1) decides a
   * race; the loser gets the winner's token while it is fresh (see withinGraceWindow), and
   * anything later is reuse: the family is revoked.
   */
  async refresh(token: string): Promise<TokenPair> {
    const now = this.clock.now();
    const presented = await this.refreshTokens.findByHash(hashSecretToken(token));
    if (!presented || isRefreshTokenExpired(presented, now)) throw new InvalidRefreshToken();
    const family = await this.refreshTokens.findFamily(presented.familyId);
    const account = await this.accounts.findById(presented.accountId);
    if (
      !family ||
      family.revokedAt !== null ||
      !account ||
      account.status !== 'active' ||
      !issuedAfterRevocation(account, family.createdAt) ||
      !mintedUnderCurrentEpoch(account, family.sessionEpoch)
    ) {
      throw new InvalidRefreshToken();
    }

    const successorToken = this.successors.successorOf(token);
    const successor = this.refreshRecord(
      family.id,
      presented.generation + 1,
      account.id,
      successorToken,
      now,
    );
    if (await this.claimRotation(successor)) {
      return this.pair(account, family.id, successorToken, now);
    }

    const winner = await this.refreshTokens.findGeneration(family.id, successor.generation);
    if (winner && (await this.mayShare(winner, successor, now))) {
      return this.pair(account, family.id, successorToken, now);
    }
    // The family's access tokens are refused at once too: the mark is read with the account on
    // every request. Marks older than an access token's lifetime have nothing left to refuse.
    const accessTtlAgo = new Date(now.getTime() - this.config.jwt.accessTtlSeconds * 1000);
    await this.unitOfWork.run(async () => {
      await this.refreshTokens.revokeFamily(family.id, now);
      await this.accounts.markFamilyRevoked(
        account.id,
        family.id,
        now,
        expiredFamilyMarks(account, accessTtlAgo),
      );
    });
    throw new RefreshTokenReused();
  }

  /** False when another refresh inserted this generation first. */
  private async claimRotation(successor: RefreshToken): Promise<boolean> {
    try {
      await this.unitOfWork.run(() => this.refreshTokens.insertSuccessor(successor));
      return true;
    } catch (error) {
      if (error instanceof RefreshTokenAlreadyRotated) return false;
      throw error;
    }
  }

  /**
   * The winner is shared only while it is fresh and unused: a token two generations behind is a
   * replay whatever the clock says.
   */
  private async mayShare(winner: RefreshToken, mine: RefreshToken, now: Date): Promise<boolean> {
    return (
      winner.tokenHash === mine.tokenHash &&
      withinGraceWindow(winner, now, this.config.refreshGraceSeconds) &&
      (await this.refreshTokens.findGeneration(winner.familyId, winner.generation + 1)) === null
    );
  }

  private refreshRecord(
    familyId: string,
    generation: number,
    accountId: string,
    token: string,
    now: Date,
  ): RefreshToken {
    return {
      familyId,
      generation,
      accountId,
      tokenHash: hashSecretToken(token),
      issuedAt: now,
      expiresAt: new Date(now.getTime() + this.config.refreshTtlSeconds * 1000),
    };
  }

  private async pair(
    account: AccountState,
    familyId: string,
    refreshToken: string,
    now: Date,
  ): Promise<TokenPair> {
    const access = await this.accessTokens.issue({
      accountId: account.id,
      role: account.role,
      issuedAt: now,
      sessionEpoch: account.sessionEpoch,
      familyId,
    });
    return { accessToken: access.token, refreshToken, expiresInSeconds: access.expiresInSeconds };
  }
}
