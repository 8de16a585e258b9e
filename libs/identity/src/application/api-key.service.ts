import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Actor, Clock, DomainError, isAdmin, newId, UnitOfWork } from '@taskflow/platform';
import { AccountForbidden, AccountNotFound, AccountState } from '../domain/account';
import {
  API_KEY_PREFIX,
  ApiKey,
  ApiKeyNotFound,
  ApiKeyScope,
  isApiKeyLive,
  LAST_USED_RESOLUTION_MS,
  lastUseIsStale,
  parseApiKey,
} from '../domain/api-key';
import { Unauthenticated } from '../domain/credentials';
import { AccountRepository } from '../ports/account.repository';
import { ApiKeyRepository } from '../ports/api-key.repository';

export interface NewApiKey {
  readonly name: string;
  readonly scopes: readonly ApiKeyScope[];
  readonly expiresInDays: number;
}

/** A key as created: the stored key and its text, which is shown this once. */
export interface IssuedApiKey {
  readonly key: ApiKey;
  readonly text: string;
}

/**
 * The secret carries 256 random bits, so a plain SHA-256 is enough to store it: there is no
 * dictionary for a slow hash (bcrypt) to slow down, and bcrypt would cost every request ~50 ms.
 */
const hashSecret = (secret: string): Buffer => createHash('sha256').update(secret).digest();

/** Compared against when the key id is unknown, so that path hashes and compares like the others. */
const PLACEHOLDER_HASH = hashSecret(randomBytes(32).toString('base64url'));
/** Read when the text is no key or names none, so every path makes the same two reads. */
const PLACEHOLDER_KEY = 'ak_~none';
const PLACEHOLDER_ACCOUNT = '~no-account';

const UNAUTHENTICATED = 'The access token is not valid';

@Injectable()
export class ApiKeyService {
  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly accounts: AccountRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
  ) {}

  /** A new key for `accountId`: its own account for anyone, any account for an admin. */
  async create(actor: Actor, accountId: string, input: NewApiKey): Promise<IssuedApiKey> {
    if (!isAdmin(actor) && actor.id !== accountId) {
      throw new AccountForbidden('Only an admin may create keys for another account');
    }
    const account = await this.accounts.findById(accountId);
    if (!account) throw new AccountNotFound(accountId);
    if (account.status !== 'active') {
      throw new DomainError('API_KEY.ACCOUNT_DISABLED', `Account ${accountId} is disabled`);
    }
    const now = this.clock.now();
    const secret = randomBytes(32).toString('base64url');
    const key: ApiKey = {
      id: newId('ak'),
      accountId,
      name: input.name,
      scopes: [...new Set(input.scopes)],
      secretHash: hashSecret(secret).toString('base64url'),
      createdAt: now,
      expiresAt: new Date(now.getTime() + input.expiresInDays * 86_400_000),
      lastUsedAt: null,
      revokedAt: null,
    };
    await this.unitOfWork.run(() => this.keys.insert(key));
    return { key, text: `${API_KEY_PREFIX}${key.id}_${secret}` };
  }

  async list(actor: Actor, accountId: string): Promise<ApiKey[]> {
    if (!isAdmin(actor) && actor.id !== accountId) {
      throw new AccountForbidden("Only an admin may list another account's keys");
    }
    if (accountId !== actor.id && !(await this.accounts.findById(accountId))) {
      throw new AccountNotFound(accountId);
    }
    return this.keys.listForAccount(accountId);
  }

  /** Revokes a key of the actor's own, or any key for an admin; someone else's key is 404. */
  async revoke(actor: Actor, id: string): Promise<void> {
    const key = await this.keys.findById(id);
    if (!key || (!isAdmin(actor) && key.accountId !== actor.id)) throw new ApiKeyNotFound(id);
    await this.unitOfWork.run(() => this.keys.revoke(id, this.clock.now()));
  }

  /**
   * The actor of `Authorization: Bearer tfk_…`, or the one Unauthenticated for every refusal. Every
   * path does the same work: one key read (of a placeholder id for a malformed key), one SHA-256, one constant-time comparison and one
   * account read (of a placeholder id when there is no key), and the checks are evaluated all
   * together, so an unknown, tampered, expired or revoked key, or a disabled account, differ
   * neither in answer nor in the steps taken. Nothing is cached: a revoke or a disable on any
   * instance is seen by the next request.
   */
  async authenticate(text: string): Promise<Actor> {
    const parsed = parseApiKey(text);
    const now = this.clock.now();
    const key = await this.keys.findById(parsed?.id ?? PLACEHOLDER_KEY);
    const presented = hashSecret(parsed?.secret ?? '');
    const stored = key ? Buffer.from(key.secretHash, 'base64url') : PLACEHOLDER_HASH;
    const matches = stored.length === presented.length && timingSafeEqual(stored, presented);
    const account: AccountState | null = await this.accounts.findById(
      key?.accountId ?? PLACEHOLDER_ACCOUNT,
    );
    const live = key !== null && isApiKeyLive(key, now);
    if (!key || !matches || !live || account?.status !== 'active') {
      throw new Unauthenticated(UNAUTHENTICATED);
    }
    if (lastUseIsStale(key, now)) {
      await this.keys.touch(key.id, now, LAST_USED_RESOLUTION_MS);
    }
    return { id: account.id, role: account.role, via: `api_key:${key.id}`, scopes: key.scopes };
  }
}
