import { JwtService } from '@nestjs/jwt';
import { bearer, DEV_PASSWORD, JWT_SECRET, login, payloadOf, sansRequestId } from '../support/auth';
import { startTestApp, TestApp, TEST_DRIVERS } from '../support/test-app';

const ENV = { JWT_SECRET };
const NOW_S = (): number => Math.floor(Date.now() / 1000);

/** Tokens as an attacker or a confused client might make them. */
const forge = (secret = JWT_SECRET) => new JwtService({ secret });
const goodClaims = () => ({
  sub: 'u_alice',
  role: 'human',
  iat: NOW_S(),
  iat_ms: Date.now(),
  exp: NOW_S() + 600,
  iss: 'taskflow',
  aud: 'taskflow-api',
});
const without = (claim: string): Record<string, unknown> => {
  const claims: Record<string, unknown> = goodClaims();
  delete claims[claim];
  return claims;
};
const base64url = (value: object): string =>
  Buffer.from(JSON.stringify(value)).toString('base64url');

describe.each(TEST_DRIVERS)('login and access tokens (%s)', (driver) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(driver, ENV);
  });
  afterAll(() => t.close());

  describe('POST /auth/login', () => {
    it('answers a bearer pair whose access token carries iss, aud, sub, role, iat and exp', async () => {
      const before = Date.now();
      const res = await t
        .http()
        .post('/auth/login')
        .send({ id: 'u_alice', password: DEV_PASSWORD });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        access_token: expect.any(String),
        refresh_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: 900,
      });
      const header = JSON.parse(
        Buffer.from(res.body.access_token.split('.')[0], 'base64url').toString(),
      );
      expect(header.alg).toBe('HS256');
      const claims = payloadOf(res.body.access_token);
      expect(claims).toMatchObject({
        iss: 'taskflow',
        aud: 'taskflow-api',
        sub: 'u_alice',
        role: 'human',
      });
      expect(claims.exp).toBe((claims.iat as number) + 900);
      expect(claims.iat_ms as number).toBeGreaterThanOrEqual(before);
    });

    it('lets GET /me answer the account behind the token', async () => {
      const { access_token } = await login(t, 'u_alice');
      const res = await t.http().get('/me').set(bearer(access_token));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: 'u_alice', role: 'human', status: 'active' });
    });

    it('answers the same problem for an unknown account, a wrong password and a disabled account', async () => {
      await t
        .http()
        .post('/users')
        .send({ id: 'u_gone', name: 'Gone', role: 'human', password: DEV_PASSWORD });
      const admin = await login(t, 'u_admin');
      expect(
        (await t.http().post('/users/u_gone/disable').set(bearer(admin.access_token))).status,
      ).toBe(200);

      const attempts = await Promise.all([
        t.http().post('/auth/login').send({ id: 'u_nobody', password: DEV_PASSWORD }),
        t.http().post('/auth/login').send({ id: 'u_alice', password: 'not the password' }),
        t.http().post('/auth/login').send({ id: 'u_gone', password: DEV_PASSWORD }),
      ]);
      for (const res of attempts) {
        expect(res.status).toBe(401);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(sansRequestId(res.body)).toEqual({
          type: 'https://taskflow.dev/problems/invalid-credentials',
          title: 'Invalid credentials',
          status: 401,
          detail: 'The id or the password is not correct',
          instance: '/auth/login',
        });
      }
    });

    it('refuses a password past 72 bytes even though its first 72 bytes are right', async () => {
      const password = 'p'.repeat(72);
      expect(
        (await t.http().post('/users').send({ id: 'u_long', name: 'L', role: 'human', password }))
          .status,
      ).toBe(201);
      expect((await t.http().post('/auth/login').send({ id: 'u_long', password })).status).toBe(
        200,
      );
      const res = await t
        .http()
        .post('/auth/login')
        .send({ id: 'u_long', password: `${password}!` });
      expect(res.status).toBe(401);
    });

    it('answers 400 for a body without a password', async () => {
      const res = await t.http().post('/auth/login').send({ id: 'u_alice' });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual(
        expect.arrayContaining([expect.objectContaining({ field: 'password' })]),
      );
    });
  });

  describe('a bearer token is refused (401) when', () => {
    const cases: Array<[string, () => Promise<string>]> = [
      [
        'its alg is none',
        async () => `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(goodClaims())}.`,
      ],
      [
        'its aud is another service',
        () => forge().signAsync({ ...goodClaims(), aud: 'other-api' }),
      ],
      ['its iss is someone else', () => forge().signAsync({ ...goodClaims(), iss: 'evil' })],
      [
        'it has expired',
        () => forge().signAsync({ ...goodClaims(), iat: NOW_S() - 1000, exp: NOW_S() - 100 }),
      ],
      ['it has no exp', () => forge().signAsync(without('exp'))],
      [
        'it is signed with another secret',
        () => forge('another-secret-that-is-32-bytes-or-more').signAsync(goodClaims()),
      ],
      [
        'it is HS512, even with the right secret',
        () => forge().signAsync(goodClaims(), { algorithm: 'HS512' }),
      ],
      ['it has no iat_ms', () => forge().signAsync(without('iat_ms'))],
      ['it is not a JWT', async () => 'not.a.jwt'],
      [
        'its payload was tampered with',
        async () => {
          const [header, , signature] = (await login(t, 'u_alice')).access_token.split('.');
          return `${header}.${base64url({ ...goodClaims(), role: 'admin' })}.${signature}`;
        },
      ],
      [
        'its signature was tampered with',
        async () => {
          const token = (await login(t, 'u_alice')).access_token;
          const [header, payload, signature] = token.split('.');
          const flipped = signature[5] === 'A' ? 'B' : 'A';
          return `${header}.${payload}.${signature.slice(0, 5)}${flipped}${signature.slice(6)}`;
        },
      ],
    ];

    it('the forgery helper makes tokens the API accepts when nothing is wrong', async () => {
      const res = await t
        .http()
        .get('/me')
        .set(bearer(await forge().signAsync(goodClaims())));
      expect(res.status).toBe(200);
    });

    it.each(cases)('%s', async (_, make) => {
      const res = await t
        .http()
        .get('/me')
        .set(bearer(await make()));
      expect(res.status).toBe(401);
      expect(res.body.type).toBe('https://taskflow.dev/problems/unauthenticated');
    });

    it('it has expired, and says so', async () => {
      const token = await forge().signAsync({ ...goodClaims(), exp: NOW_S() - 1 });
      const res = await t.http().get('/me').set(bearer(token));
      expect(res.body.detail).toBe('The access token has expired');
    });

    it('it has expired since the API last accepted it', async () => {
      const exp = NOW_S() + 2;
      const token = await forge().signAsync({ ...goodClaims(), exp });
      expect((await t.http().get('/me').set(bearer(token))).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 50));
      const res = await t.http().get('/me').set(bearer(token));
      expect(res.status).toBe(401);
      expect(res.body.detail).toBe('The access token has expired');
    });

    it('its signature was tampered with, after the API accepted the original', async () => {
      const token = (await login(t, 'u_alice')).access_token;
      expect((await t.http().get('/me').set(bearer(token))).status).toBe(200);
      const at = token.length - 5;
      const flipped = token[at] === 'A' ? 'B' : 'A';
      const res = await t
        .http()
        .get('/me')
        .set(bearer(token.slice(0, at) + flipped + token.slice(at + 1)));
      expect(res.status).toBe(401);
    });

    it('the scheme is not Bearer', async () => {
      const res = await t.http().get('/me').set('authorization', 'Basic dV9hbGljZTp4');
      expect(res.status).toBe(401);
      expect(res.body.detail).toBe('Send Authorization: Bearer <token>');
    });

    it('it is bad, even with a valid X-User-ID beside it', async () => {
      const res = await t.http().get('/me').set(bearer('not.a.jwt')).set('x-user-id', 'u_alice');
      expect(res.status).toBe(401);
    });
  });
});

describe.each(TEST_DRIVERS)('outside dev mode (%s)', (driver) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(driver, {
      ...ENV,
      DEV_MODE: 'false',
      NODE_ENV: 'production',
      BOOTSTRAP_ADMIN_ID: 'root',
      BOOTSTRAP_ADMIN_PASSWORD: 'root passphrase!',
    });
  });
  afterAll(() => t.close());

  it('ignores X-User-ID', async () => {
    const res = await t.http().get('/me').set('x-user-id', 'root');
    expect(res.status).toBe(401);
    expect(res.body.detail).toBe('Send Authorization: Bearer <token>');
  });

  it('seeds no dev accounts', async () => {
    const res = await t.http().post('/auth/login').send({ id: 'u_alice', password: DEV_PASSWORD });
    expect(res.status).toBe(401);
  });

  it('authenticates with a bearer token', async () => {
    const { access_token } = await login(t, 'root', 'root passphrase!');
    const res = await t.http().get('/me').set(bearer(access_token));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: 'root', role: 'admin' });
  });
});

describe('two apps in one process', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await startTestApp(TEST_DRIVERS[0], {
      JWT_SECRET: 'secret-of-app-a-at-least-32-bytes-long',
    });
    b = await startTestApp(TEST_DRIVERS[0], {
      JWT_SECRET: 'secret-of-app-b-at-least-32-bytes-long',
    });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('each verify tokens with their own secret', async () => {
    const fromA = (await login(a, 'u_alice')).access_token;
    const fromB = (await login(b, 'u_alice')).access_token;
    expect((await a.http().get('/me').set(bearer(fromA))).status).toBe(200);
    expect((await b.http().get('/me').set(bearer(fromB))).status).toBe(200);
    expect((await a.http().get('/me').set(bearer(fromB))).status).toBe(401);
    expect((await b.http().get('/me').set(bearer(fromA))).status).toBe(401);
  });
});
