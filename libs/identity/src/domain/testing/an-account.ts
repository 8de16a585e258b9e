import type { AccountState } from '../account';

export const CREATED_AT = new Date('2030-01-01T09:00:00.000Z');

/** A stored account; the hash is a placeholder unless a spec needs a real one. */
export function anAccount(overrides: Partial<AccountState> = {}): AccountState {
  return {
    id: 'u_carol',
    name: 'Carol',
    role: 'human',
    email: 'carol@example.test',
    status: 'active',
    passwordHash: '$2b$04$placeholderplaceholderplaceholderplaceholderpla',
    createdAt: CREATED_AT,
    sessionsValidAfter: null,
    sessionEpoch: null,
    revokedFamilies: {},
    ...overrides,
  };
}
