export const ROLES = ['human', 'agent', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is acting: an authenticated, active account. Shared by every module. */
export interface Actor {
  readonly id: string;
  readonly role: Role;
}

export const isAdmin = (actor: Actor): boolean => actor.role === 'admin';
