import { Injectable, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { HealthIndicatorResult, HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { ReadinessIndicator } from '@taskflow/platform';
import { NotReady } from '../domain/not-ready';
import { ReadinessService } from './readiness.service';
import { ServingIndicator } from './serving.indicator';
import { ShutdownState } from './shutdown-state';

/** Stands in for a check another module contributes (the Mongo ping, pending migrations). */
@Injectable()
class FakeDatabaseCheck extends ReadinessIndicator {
  reachable = true;
  constructor(private readonly health: HealthIndicatorService) {
    super();
  }
  check() {
    return this.health
      .check('database')
      .attempt(async () => {
        if (!this.reachable) throw new Error('connection refused');
      })
      .withTimeout(200);
  }
}

@Injectable()
class ThrowingCheck extends ReadinessIndicator {
  failing = false;
  check(): HealthIndicatorResult {
    if (this.failing) throw new Error('bug in a check');
    return { throwing: { status: 'up' } };
  }
}

@Module({
  imports: [TerminusModule],
  providers: [FakeDatabaseCheck, ThrowingCheck],
})
class ContributingModule {}

describe('ReadinessService', () => {
  async function setUp() {
    const moduleRef = await Test.createTestingModule({
      imports: [DiscoveryModule, TerminusModule.forRoot({ logger: false }), ContributingModule],
      providers: [ShutdownState, ServingIndicator, ReadinessService],
    }).compile();
    await moduleRef.init();
    return {
      readiness: moduleRef.get(ReadinessService),
      database: moduleRef.get(FakeDatabaseCheck),
      throwing: moduleRef.get(ThrowingCheck),
      shutdown: moduleRef.get(ShutdownState),
    };
  }

  it('runs the indicators every module contributes', async () => {
    const { readiness } = await setUp();
    const result = await readiness.check();
    expect(result.status).toBe('ok');
    expect(Object.keys(result.details).sort()).toEqual(['database', 'serving', 'throwing']);
  });

  it('is not ready while any check is down, and ready again when it recovers', async () => {
    const { readiness, database } = await setUp();
    database.reachable = false;
    const error = await readiness.check().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotReady);
    expect((error as NotReady).message).toBe('Not ready: database');
    expect((error as NotReady).details.checks).toMatchObject({
      database: { status: 'down', message: 'connection refused' },
      serving: { status: 'up' },
    });

    database.reachable = true;
    await expect(readiness.check()).resolves.toMatchObject({ status: 'ok' });
  });

  it('counts a check that throws as down rather than failing the probe', async () => {
    const { readiness, throwing } = await setUp();
    throwing.failing = true;
    const error = (await readiness.check().catch((e: unknown) => e)) as NotReady;
    expect(error).toBeInstanceOf(NotReady);
    expect(error.details.checks).toMatchObject({
      ThrowingCheck: { status: 'down', message: 'bug in a check' },
    });
  });

  it('is not ready once shutdown begins', async () => {
    const { readiness, shutdown } = await setUp();
    shutdown.begin();
    await expect(readiness.check()).rejects.toThrow('Not ready: serving');
  });
});
