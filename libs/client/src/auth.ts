import createFetchClient from 'openapi-fetch';
import type { components, paths } from './generated/openapi';
import { TaskflowError, type Problem } from './problem';

export type TokenPair = components['schemas']['TokenPairDto'];

/** Where a request's `Authorization` header comes from. */
export interface Credentials {
  authorization(): Promise<string>;
}

/** An API key (`tfk_…`, DESIGN §11): sent as is on every request. */
export function apiKey(key: string): Credentials {
  const header = `Bearer ${key}`;
  return { authorization: () => Promise.resolve(header) };
}

export interface JwtSessionOptions {
  readonly baseUrl: string;
  /** Refresh this long before the access token expires (default 30 s, at most half its life). */
  readonly refreshBeforeSeconds?: number;
  /** Called with every new pair, to persist the rotated refresh token. */
  readonly onRefresh?: (tokens: TokenPair) => void;
  readonly fetch?: (input: Request) => Promise<Response>;
  /** Milliseconds since the epoch; tests move it. */
  readonly now?: () => number;
}

/** The access token's `exp`, in epoch milliseconds, or undefined when it is not a readable JWT. */
function expiryOf(accessToken: string): number | undefined {
  try {
    const payload = accessToken.split('.')[1] ?? '';
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A password session: the access token is refreshed before it expires, and any number of
 * concurrent requests that find it expiring wait for one refresh (refresh tokens rotate on every
 * use, and a reused one revokes the whole session).
 */
export class JwtSession implements Credentials {
  private pair: TokenPair;
  private expiresAt: number;
  private refreshing: Promise<void> | undefined;
  private readonly now: () => number;
  private readonly auth;

  constructor(
    tokens: TokenPair,
    private readonly options: JwtSessionOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.auth = createFetchClient<paths>({ baseUrl: options.baseUrl, fetch: options.fetch });
    this.pair = tokens;
    this.expiresAt = this.expiryOf(tokens);
  }

  static async login(
    id: string,
    password: string,
    options: JwtSessionOptions,
  ): Promise<JwtSession> {
    const auth = createFetchClient<paths>({ baseUrl: options.baseUrl, fetch: options.fetch });
    const { data, error, response } = await auth.POST('/auth/login', { body: { id, password } });
    if (!data) throw new TaskflowError(response.status, error as Problem | undefined);
    return new JwtSession(data, options);
  }

  get tokens(): TokenPair {
    return this.pair;
  }

  async authorization(): Promise<string> {
    if (this.now() >= this.expiresAt - this.marginMs()) await this.refresh();
    return `Bearer ${this.pair.access_token}`;
  }

  /** Refreshes now; concurrent callers share the one request. */
  refresh(): Promise<void> {
    this.refreshing ??= this.rotate().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async rotate(): Promise<void> {
    const { data, error, response } = await this.auth.POST('/auth/refresh', {
      body: { refresh_token: this.pair.refresh_token },
    });
    if (!data) throw new TaskflowError(response.status, error as Problem | undefined);
    this.pair = data;
    this.expiresAt = this.expiryOf(data);
    this.options.onRefresh?.(data);
  }

  private expiryOf(tokens: TokenPair): number {
    return expiryOf(tokens.access_token) ?? this.now() + tokens.expires_in * 1000;
  }

  private marginMs(): number {
    const margin = (this.options.refreshBeforeSeconds ?? 30) * 1000;
    return Math.min(margin, (this.pair.expires_in * 1000) / 2);
  }
}
