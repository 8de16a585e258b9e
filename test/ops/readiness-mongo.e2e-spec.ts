import { MongoServer, startMongoServer } from '../../scripts/mongo-server';
import { startTestApp, TestApp } from '../support/test-app';

/** Polls until `ready` holds or the deadline passes; returns the last answer. */
async function until<T>(
  probe: () => Promise<T>,
  ready: (value: T) => boolean,
  ms: number,
): Promise<T> {
  const deadline = Date.now() + ms;
  let value = await probe();
  while (!ready(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    value = await probe();
  }
  return value;
}

// A server of its own: the suite stops it, which the run's shared server must never see.
describe('readiness against the database (mongo driver)', () => {
  let server: MongoServer;
  let t: TestApp;

  beforeAll(async () => {
    server = await startMongoServer({ dbName: 'taskflow_readiness' });
    if (server.kind === 'external') {
      throw new Error('this suite stops its database server; run it without MONGODB_URI');
    }
    t = await startTestApp('mongo', { MONGODB_URI: server.uri });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await server?.stop();
  });

  it('is ready with the database up and every migration applied', async () => {
    const res = await t.http().get('/readyz').expect(200);
    expect(res.body.details).toMatchObject({
      mongo: { status: 'up' },
      migrations: { status: 'up' },
      serving: { status: 'up' },
    });
    const health = await t.http().get('/health').expect(200);
    expect(health.body).toMatchObject({ driver: 'mongo', transactions_supported: false });
  });

  it('answers 503 while the database is down and 200 again once it is back, without a restart', async () => {
    await server.kill();
    const down = await until(
      () => t.http().get('/readyz'),
      (res) => res.status === 503,
      10_000,
    );
    expect(down.status).toBe(503);
    expect(down.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(down.body.checks.mongo.status).toBe('down');
    await t.http().get('/livez').expect(200);

    await server.restart();
    const up = await until(
      () => t.http().get('/readyz'),
      (res) => res.status === 200,
      30_000,
    );
    expect(up.status).toBe(200);
    expect(up.body.details.mongo).toMatchObject({ status: 'up' });
  }, 60_000);
});
