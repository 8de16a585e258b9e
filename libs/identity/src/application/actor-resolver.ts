import { Injectable } from '@nestjs/common';
import { Actor, AppConfig } from '@taskflow/platform';
import { familyRevokedOn, issuedAfterRevocation, mintedUnderCurrentEpoch } from '../domain/account';
import { Unauthenticated } from '../domain/credentials';
import type { AccessTokenClaims } from '../ports/access-token-issuer';
import { AccountRepository } from '../ports/account.repository';

/**
 * Turns verified credentials into an actor. The account is read on every request (one read, no
 * cache), so disabling it or revoking its sessions takes effect at once on every instance.
 */
@Injectable()
export class ActorResolver {
  constructor(
    private readonly config: AppConfig,
    private readonly accounts: AccountRepository,
  ) {}

  async resolveAccessToken(claims: AccessTokenClaims): Promise<Actor> {
    const account = await this.accounts.findById(claims.accountId);
    if (!account || account.status !== 'active') {
      throw new Unauthenticated('The account is disabled or no longer exists');
    }
    if (
      account.role !== claims.role ||
      !issuedAfterRevocation(account, claims.issuedAt) ||
      !mintedUnderCurrentEpoch(account, claims.sessionEpoch) ||
      familyRevokedOn(account, claims.familyId)
    ) {
      throw new Unauthenticated('The session has been revoked; log in again');
    }
    return { id: account.id, role: account.role };
  }

  /** Dev mode only: X-User-ID names the actor. Outside dev mode the header is ignored. */
  async resolveDevUser(id: string | undefined): Promise<Actor> {
    if (!this.config.devMode || id === undefined) {
      throw new Unauthenticated(
        this.config.devMode
          ? 'Send Authorization: Bearer <token> or X-User-ID'
          : 'Send Authorization: Bearer <token>',
      );
    }
    const account = await this.accounts.findById(id);
    if (account?.status !== 'active') {
      throw new Unauthenticated('X-User-ID does not name an active account');
    }
    return { id: account.id, role: account.role, via: 'dev_header' };
  }
}
