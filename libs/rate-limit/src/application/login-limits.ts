import { Injectable, Logger } from '@nestjs/common';
import { AppConfig, Clock } from '@taskflow/platform';
import {
  ACCOUNT_BUDGET_WINDOW_SECONDS,
  accountBudgetPerHour,
  KNOWN_CLIENT_DAYS,
} from '../domain/login-limits';
import { Rate, windowOf } from '../domain/rate-limit';
import { RateLimitStorage } from '../ports/rate-limit.storage';
import { RateLimiter } from './rate-limiter';

const DAY_MS = 86_400_000;

const failuresKey = (account: string, address: string) =>
  `auth-account:failures:${account}:${address}`;
const knownKey = (account: string, address: string) => `auth-account:known:${account}:${address}`;
const budgetKey = (account: string) => `auth-account:budget:${account}`;

/**
 * Login limits per account that a stranger cannot turn into a lockout (docs/DECISIONS.md, "Login
 * limits"): a client address that logged into the account before and is not failing always gets
 * its turn; every other attempt spends the account's hourly budget before its password is
 * evaluated, so guesses from any number of addresses stay within that budget.
 */
@Injectable()
export class LoginLimits {
  private readonly logger = new Logger('RateLimit');
  private readonly auth: Rate | null;

  constructor(
    private readonly storage: RateLimitStorage,
    private readonly limiter: RateLimiter,
    private readonly clock: Clock,
    config: AppConfig,
  ) {
    this.auth = config.rateLimitAuth;
  }

  get enabled(): boolean {
    return this.auth !== null;
  }

  /** Before the password is evaluated: refuses a failing client, or a stranger once the budget is spent. */
  async admit(account: string, address: string): Promise<void> {
    const auth = this.auth;
    if (!auth) return;
    const windowMs = auth.windowSeconds * 1000;
    const failures = await this.failOpen(
      () => this.storage.peek(failuresKey(account, address), windowMs),
      0,
    );
    if (failures >= auth.limit)
      throw this.limiter.refuse('auth-account', this.secondsLeft(windowMs));
    const known =
      failures === 0 &&
      (await this.failOpen(() => this.storage.isMarked(knownKey(account, address)), true));
    if (known) return;
    const counted = await this.limiter.count(
      'auth-account',
      { limit: accountBudgetPerHour(auth), windowSeconds: ACCOUNT_BUDGET_WINDOW_SECONDS },
      budgetKey(account),
    );
    if (counted?.hit.isBlocked) {
      throw this.limiter.refuse('auth-account', counted.hit.timeToBlockExpire);
    }
  }

  /** The address becomes a known client of the account for KNOWN_CLIENT_DAYS. */
  async succeeded(account: string, address: string): Promise<void> {
    if (!this.auth) return;
    const until = new Date(this.clock.now().getTime() + KNOWN_CLIENT_DAYS * DAY_MS);
    await this.failOpen(() => this.storage.mark(knownKey(account, address), until), undefined);
  }

  /** A wrong password: the address is failing for this account until the window turns. */
  async failed(account: string, address: string): Promise<void> {
    const auth = this.auth;
    if (!auth) return;
    await this.failOpen(
      () =>
        this.storage.increment(
          failuresKey(account, address),
          auth.windowSeconds * 1000,
          auth.limit,
        ),
      undefined,
    );
  }

  private secondsLeft(windowMs: number): number {
    const now = this.clock.now().getTime();
    return Math.max(1, Math.ceil((windowOf(now, windowMs).endsAt - now) / 1000));
  }

  /** Like every limit here, open when the store is down (the login then fails on its own). */
  private async failOpen<T>(read: () => Promise<T>, fallback: T): Promise<T> {
    try {
      return await read();
    } catch (error) {
      this.logger.warn(`Rate limit store unavailable, login not limited: ${String(error)}`);
      return fallback;
    }
  }
}
