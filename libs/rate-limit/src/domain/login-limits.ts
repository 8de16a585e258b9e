import type { Rate } from './rate-limit';

/**
 * Login limits per account (docs/DECISIONS.md, "Login limits"). Failures are counted per
 * (account, client address) under RATE_LIMIT_AUTH; attempts from addresses the account has not
 * logged in from share one budget per account and clock hour. Once it is spent, only addresses
 * the account logged in from (within KNOWN_CLIENT_DAYS) and that are not failing may try.
 */
export const ACCOUNT_BUDGET_WINDOW_SECONDS = 3_600;

/** Ten times RATE_LIMIT_AUTH's limit: 100 an hour at the default 10/60s (NIST SP 800-63B's ceiling). */
export const accountBudgetPerHour = (auth: Rate): number => 10 * auth.limit;

/** How long a successful login from an address makes it a known client of the account. */
export const KNOWN_CLIENT_DAYS = 30;

/** The account a login names, as the accounts store finds it; null when it names none. */
export function loginTarget(body: unknown): string | null {
  const id = (body as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' && id.length > 0 && id.length <= 64 ? id.toLowerCase() : null;
}
