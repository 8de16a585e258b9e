import type { Actor } from '@taskflow/platform/domain';

/** What other modules may ask of Identity: does this account exist and may it act? */
export abstract class AccountLookup {
  /** The account as an actor when it exists and is active, else null. */
  abstract findActive(id: string): Promise<Actor | null>;
}
