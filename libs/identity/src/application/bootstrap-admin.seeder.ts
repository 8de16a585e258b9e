import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig, Clock, ConfigError, DomainError } from '@taskflow/platform';
import { AccountAlreadyExists, assertPasswordPolicy } from '../domain/account';
import { AccountRepository } from '../ports/account.repository';
import { PasswordHasher } from '../ports/password-hasher';

/**
 * Creates the admin named by BOOTSTRAP_ADMIN_ID when it does not exist: the only way an admin
 * account comes to be. An existing account is left as it is.
 */
@Injectable()
export class BootstrapAdminSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger('BootstrapAdmin');

  constructor(
    private readonly config: AppConfig,
    private readonly accounts: AccountRepository,
    private readonly hasher: PasswordHasher,
    private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const admin = this.config.bootstrapAdmin;
    if (!admin) return;
    try {
      assertPasswordPolicy(admin.password);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      throw new ConfigError(`BOOTSTRAP_ADMIN_PASSWORD: ${error.message}`);
    }
    const existing = await this.accounts.findById(admin.id);
    if (existing) {
      if (existing.role !== 'admin') {
        this.logger.warn(
          `BOOTSTRAP_ADMIN_ID ${admin.id} is taken by a ${existing.role} account; it was not made an admin`,
        );
      }
      return;
    }
    try {
      await this.accounts.create({
        id: admin.id,
        name: 'Administrator',
        role: 'admin',
        email: null,
        status: 'active',
        passwordHash: await this.hasher.hash(admin.password),
        createdAt: this.clock.now(),
        sessionsValidAfter: null,
        sessionEpoch: null,
        revokedFamilies: {},
      });
      this.logger.log(`Created the bootstrap admin ${admin.id}`);
    } catch (error) {
      // Another instance starting at the same time created it first.
      if (!(error instanceof AccountAlreadyExists)) throw error;
    }
  }
}
