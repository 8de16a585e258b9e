import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Connection } from 'mongoose';
import type { Migration } from '../migration';
import { MigrationCheck } from '../migration-check';
import { MongoMigrator } from './mongo-migrator';

/** Built by the platform module's factory, which knows the build's migration list. */
export class MongoMigrationCheck extends MigrationCheck implements OnApplicationBootstrap {
  private readonly logger = new Logger('Migrations');
  private readonly migrator: MongoMigrator;

  constructor(connection: Connection, migrations: readonly Migration[]) {
    super();
    if (!connection.db) throw new Error('The MongoDB connection is not open');
    this.migrator = new MongoMigrator(connection.db, migrations);
  }

  pending(): Promise<string[]> {
    return this.migrator.pending();
  }

  async onApplicationBootstrap(): Promise<void> {
    const pending = await this.pending();
    if (pending.length > 0) {
      this.logger.warn(
        `Pending migrations: ${pending.join(', ')}. Run \`npm run migrate -- up\`; not ready until then.`,
      );
    }
  }
}
