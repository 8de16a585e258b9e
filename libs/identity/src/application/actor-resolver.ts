import { Injectable } from '@nestjs/common';
import { Actor, AppConfig, DomainError } from '@taskflow/platform';
import { AccountLookup } from '../ports/account-lookup';

export class Unauthenticated extends DomainError {
  constructor(detail: string) {
    super('AUTH.UNAUTHENTICATED', detail);
  }
}

export interface Credentials {
  readonly authorization?: string;
  readonly devUserId?: string;
}

/**
 * Turns a request's credentials into an actor, checking the account on every request so a
 * disabled account is refused at once.
 */
@Injectable()
export class ActorResolver {
  constructor(
    private readonly config: AppConfig,
    private readonly accounts: AccountLookup,
  ) {}

  async resolve(credentials: Credentials): Promise<Actor> {
    if (this.config.devMode && credentials.devUserId !== undefined) {
      const actor = await this.accounts.findActive(credentials.devUserId);
      if (!actor) throw new Unauthenticated('X-User-ID does not name an active account');
      return actor;
    }
    throw new Unauthenticated(
      this.config.devMode
        ? 'Send Authorization: Bearer <token> or X-User-ID'
        : 'Send Authorization: Bearer <token>',
    );
  }
}
