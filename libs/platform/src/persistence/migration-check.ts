import { Injectable } from '@nestjs/common';

/** Whether the database has every migration this build expects (for /readyz). */
export abstract class MigrationCheck {
  /** Ids of migrations not applied as written; empty when the schema is current. */
  abstract pending(): Promise<string[]>;
}

/** The memory store has no schema to migrate. */
@Injectable()
export class NoMigrations extends MigrationCheck {
  async pending(): Promise<string[]> {
    return [];
  }
}
