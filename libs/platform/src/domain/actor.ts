export const ROLES = ['human', 'agent', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is acting: an authenticated, active account. Shared by every module. */
export interface Actor {
  readonly id: string;
  readonly role: Role;
  /** How the actor came in: `session` when absent, else `api_key:<key id>`, `dev_header`, `system`. */
  readonly via?: string;
  /** An API key's scopes; absent for every other credential, which its role alone limits. */
  readonly scopes?: readonly string[];
}

/** The `via` of a password session, and of audit entries and events written before `via`. */
export const DEFAULT_VIA = 'session';

/** The `via` of audit entries and events: absent (a password session) is `session`. */
export const viaOf = (actor: Pick<Actor, 'via'>): string => actor.via ?? DEFAULT_VIA;

export const isAdmin = (actor: Actor): boolean => actor.role === 'admin';
