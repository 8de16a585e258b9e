import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig, Clock, Role } from '@taskflow/platform';
import { AccountRepository } from '../ports/account.repository';
import { PasswordHasher } from '../ports/password-hasher';

export const DEV_PASSWORD = 'taskflow-dev-password';

export const DEV_ACCOUNTS: ReadonlyArray<{ id: string; name: string; role: Role }> = [
  { id: 'u_admin', name: 'Dev Admin', role: 'admin' },
  { id: 'u_alice', name: 'Alice', role: 'human' },
  { id: 'u_bob', name: 'Bob', role: 'human' },
  { id: 'a_builder', name: 'Builder Agent', role: 'agent' },
];

/** In dev mode, seeds the accounts the README's walk-through uses (all share DEV_PASSWORD). */
@Injectable()
export class DevAccountsSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger('DevMode');

  constructor(
    private readonly config: AppConfig,
    private readonly accounts: AccountRepository,
    private readonly hasher: PasswordHasher,
    private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.devMode) return;
    const passwordHash = await this.hasher.hash(DEV_PASSWORD);
    for (const account of DEV_ACCOUNTS) {
      if (await this.accounts.findById(account.id)) continue;
      await this.accounts.create({
        ...account,
        email: null,
        status: 'active',
        passwordHash,
        createdAt: this.clock.now(),
        sessionsValidAfter: null,
        sessionEpoch: null,
        revokedFamilies: {},
      });
    }
    this.logger.warn(
      `Dev mode: X-User-ID is accepted; seeded ${DEV_ACCOUNTS.map((a) => a.id).join(', ')}`,
    );
  }
}
