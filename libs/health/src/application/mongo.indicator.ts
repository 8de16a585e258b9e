import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, MongooseHealthIndicator } from '@nestjs/terminus';
import { ReadinessIndicator } from '@taskflow/platform';

/** Ready only while MongoDB answers a ping within a second. */
@Injectable()
export class MongoIndicator extends ReadinessIndicator {
  constructor(private readonly mongoose: MongooseHealthIndicator) {
    super();
  }

  async check(): Promise<HealthIndicatorResult> {
    return await this.mongoose.pingCheck('mongo', { timeout: 1000 });
  }
}
