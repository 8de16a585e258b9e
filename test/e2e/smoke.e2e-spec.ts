import { startTestApp, TestApp } from '../support/test-app';

describe('smoke', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('memory');
  });
  afterAll(() => t.close());

  it('creates a task', async () => {
    const res = await t.http().post('/tasks').set('x-user-id', 'u_alice').send({ title: 'x' });
    expect(res.status).toBe(201);
    expect(res.headers.etag).toBe('"1"');
  });
});
