import {
  bearer,
  controlClock,
  ClockControl,
  expectPairFor,
  JWT_SECRET,
  login,
  sansRequestId,
} from '../support/auth';
import { startTestApp, TestApp, TEST_DRIVERS } from '../support/test-app';

const INVALID_TOKEN = 'https://taskflow.dev/problems/invalid-token';

describe.each(TEST_DRIVERS)('POST /auth/refresh (%s)', (driver) => {
  let t: TestApp;
  let clock: ClockControl;
  beforeAll(async () => {
    t = await startTestApp(driver, { JWT_SECRET });
  });
  beforeEach(() => {
    clock = controlClock(t);
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => t.close());

  const refresh = (token: string) => t.http().post('/auth/refresh').send({ refresh_token: token });

  it('rotates: a new pair whose access token works', async () => {
    const first = await login(t, 'u_alice');
    const res = await refresh(first.refresh_token);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
    expect(res.body.refresh_token).not.toBe(first.refresh_token);
    expect((await t.http().get('/me').set(bearer(res.body.access_token))).status).toBe(200);
    expectPairFor(await refresh(res.body.refresh_token), 'u_alice');
  });

  it('gives two concurrent refreshes of one token the same successor', async () => {
    const first = await login(t, 'u_alice');
    const [a, b] = await Promise.all([refresh(first.refresh_token), refresh(first.refresh_token)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.refresh_token).toBe(b.body.refresh_token);
    expectPairFor(await refresh(a.body.refresh_token), 'u_alice');
  });

  it('answers a replay inside the grace window with the same successor', async () => {
    const first = await login(t, 'u_alice');
    const a = await refresh(first.refresh_token);
    clock.advance(9_000);
    const b = await refresh(first.refresh_token);
    expect(b.status).toBe(200);
    expect(b.body.refresh_token).toBe(a.body.refresh_token);
  });

  it('treats a replay after the grace window as reuse and revokes the whole family', async () => {
    const first = await login(t, 'u_alice');
    const second = await refresh(first.refresh_token);
    clock.advance(10_000);
    const replay = await refresh(first.refresh_token);
    expect(replay.status).toBe(401);
    expect(replay.body).toMatchObject({
      type: INVALID_TOKEN,
      detail: 'The refresh token was already used; its session has been revoked; log in again',
    });
    const successor = await refresh(second.body.refresh_token);
    expect(successor.status).toBe(401);
    expect(successor.body.type).toBe(INVALID_TOKEN);
  });

  it('does not touch the other sessions of the account when one family is revoked', async () => {
    const phone = await login(t, 'u_bob');
    const laptop = await login(t, 'u_bob');
    await refresh(phone.refresh_token);
    clock.advance(11_000);
    expect((await refresh(phone.refresh_token)).status).toBe(401);
    expectPairFor(await refresh(laptop.refresh_token), 'u_bob');
  });

  it('refuses an unknown token with the same problem as an expired one', async () => {
    const unknown = await refresh('nothing-like-a-token');
    const first = await login(t, 'u_alice');
    clock.advance(30 * 24 * 60 * 60 * 1000);
    const expired = await refresh(first.refresh_token);
    expect(unknown.status).toBe(401);
    expect(sansRequestId(expired.body)).toEqual(sansRequestId(unknown.body));
  });

  it('answers 400 without a refresh_token', async () => {
    expect((await t.http().post('/auth/refresh').send({})).status).toBe(400);
  });
});
