import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { HealthIndicatorResult, MongooseHealthIndicator } from '@nestjs/terminus';
import { ReadinessIndicator } from '@taskflow/platform';
import type { Connection } from 'mongoose';

/** Ready only while MongoDB answers a ping within a second. */
@Injectable()
export class MongoIndicator extends ReadinessIndicator {
  constructor(
    private readonly mongoose: MongooseHealthIndicator,
    @InjectConnection() private readonly connection: Connection,
  ) {
    super();
  }

  async check(): Promise<HealthIndicatorResult> {
    // Given the connection, terminus does not look it up through a copy of @nestjs/mongoose it
    // imports by name at run time (a second copy of Nest, in the bundle: scripts/bundle.mjs).
    return await this.mongoose.pingCheck('mongo', { connection: this.connection, timeout: 1000 });
  }
}
