import { ShutdownState } from '@taskflow/health';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApp, TestApp } from '../support/test-app';

describe('probes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('memory');
  });
  afterAll(() => t.close());

  it('answers /livez without authentication or dependency checks', async () => {
    const res = await t.http().get('/livez').expect(200);
    expect(res.body).toEqual({ status: 'ok', info: {}, error: {}, details: {} });
  });

  it('describes the instance at /health', async () => {
    const { version } = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8'));
    const res = await t.http().get('/health').expect(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      version,
      driver: 'memory',
      transactions_supported: null,
      checks: { serving: { status: 'up' } },
    });
    expect(res.body.uptime_seconds).toBeGreaterThan(0);
  });

  it('answers /readyz 200 while serving, then 503 problem+json once shutdown begins', async () => {
    const ready = await t.http().get('/readyz').expect(200);
    expect(ready.body).toMatchObject({ status: 'ok', details: { serving: { status: 'up' } } });

    t.app.get(ShutdownState).begin();

    const draining = await t.http().get('/readyz').expect(503);
    expect(draining.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(draining.body).toMatchObject({
      type: 'https://taskflow.dev/problems/not-ready',
      status: 503,
      detail: 'Not ready: serving',
      instance: '/readyz',
      checks: { serving: { status: 'down', message: 'shutting down' } },
    });
    // Liveness is not readiness: the process still serves.
    await t.http().get('/livez').expect(200);
    const health = await t.http().get('/health').expect(200);
    expect(health.body.status).toBe('not_ready');
  });
});
