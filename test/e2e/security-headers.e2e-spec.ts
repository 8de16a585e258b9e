import { ALICE, as, ensureStatus, useTestApp } from '../support/api';
import { bearer, login } from '../support/auth';
import { TEST_DRIVERS } from '../support/test-app';

const ALLOWED = 'http://127.0.0.1:5173';

/** The CSP directives of an answer, by name. */
function cspOf(header: string | undefined): Map<string, string> {
  return new Map(
    (header ?? '')
      .split(';')
      .map((directive) => directive.trim())
      .filter((directive) => directive !== '')
      .map((directive) => {
        const [name, ...values] = directive.split(/\s+/);
        return [name, values.join(' ')];
      }),
  );
}

describe.each(TEST_DRIVERS)('security headers (%s)', (driver) => {
  const app = useTestApp(driver, { CORS_ORIGINS: `${ALLOWED},https://app.example.com` });

  describe('Cache-Control: no-store', () => {
    it('is on login and refresh answers, which carry tokens', async () => {
      const res = await app().http().post('/auth/login').send({
        id: ALICE,
        password: 'taskflow-dev-password',
      });
      ensureStatus(res, 200);
      expect(res.headers['cache-control']).toBe('no-store');

      const refreshed = await app()
        .http()
        .post('/auth/refresh')
        .send({ refresh_token: res.body.refresh_token });
      ensureStatus(refreshed, 200);
      expect(refreshed.headers['cache-control']).toBe('no-store');
    });

    it('is on authenticated answers, reads, writes and refusals alike', async () => {
      const { access_token } = await login(app(), ALICE);
      const answers = [
        await app().http().get('/me').set(bearer(access_token)),
        await app().http().post('/tasks').set(bearer(access_token)).send({ title: 'cached?' }),
        await app().http().get('/tasks').set(as(ALICE)),
        await app().http().get('/tasks/t_00000000000000000000000000').set(as(ALICE)),
        await app().http().get('/me').set(bearer('not-a-token')),
      ];
      expect(answers.map((res) => [res.status, res.headers['cache-control']])).toEqual([
        [200, 'no-store'],
        [201, 'no-store'],
        [200, 'no-store'],
        [404, 'no-store'],
        [401, 'no-store'],
      ]);
    });
  });

  describe('X-Content-Type-Options and Content-Security-Policy', () => {
    it.each([
      ['an API answer', '/tasks', 200],
      ['an error', '/nowhere', 404],
      ['a probe', '/livez', 200],
      ['the OpenAPI document', '/docs-json', 200],
      ['Swagger UI', '/docs', 200],
      ['a Swagger UI asset', '/docs/swagger-ui-init.js', 200],
    ])('sends nosniff on %s', async (_, path, status) => {
      const res = await app().http().get(path).set(as(ALICE));
      expect(res.status).toBe(status);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    });

    it('sends nosniff on a URL the router refuses', async () => {
      const res = await app().http().get('/tasks/%E0%A4%A').set(as(ALICE));
      expect(res.status).toBe(400);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    });

    it('gives API answers a policy that allows nothing and no framing', async () => {
      const csp = cspOf(
        (await app().http().get('/tasks').set(as(ALICE))).headers[
          'content-security-policy'
        ] as string,
      );
      expect(csp.get('default-src')).toBe("'none'");
      expect(csp.get('frame-ancestors')).toBe("'none'");
    });

    it('gives /docs a same-origin policy that forbids framing and foreign scripts', async () => {
      const res = await app().http().get('/docs');
      const csp = cspOf(res.headers['content-security-policy'] as string);
      expect(csp.get('frame-ancestors')).toBe("'none'");
      expect(csp.get('default-src')).toBe("'self'");
      expect(csp.get('script-src')).toBe("'self'");
      expect(csp.get('object-src')).toBe("'none'");
    });
  });

  describe('CORS', () => {
    const preflight = (origin: string, method = 'PATCH', headers = 'authorization,if-match') =>
      app()
        .http()
        .options('/tasks/t_00000000000000000000000000')
        .set('origin', origin)
        .set('access-control-request-method', method)
        .set('access-control-request-headers', headers);

    it('answers a preflight from an allowed origin with 204 and what the API uses', async () => {
      const res = await preflight(ALLOWED);
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
      expect(res.headers['x-request-id']).toEqual(expect.any(String));
      const methods = res.headers['access-control-allow-methods'].split(/,\s*/);
      expect(methods).toEqual(expect.arrayContaining(['GET', 'POST', 'PATCH', 'DELETE']));
      const allowed = res.headers['access-control-allow-headers'].toLowerCase().split(/,\s*/);
      expect(allowed).toEqual(
        expect.arrayContaining([
          'authorization',
          'content-type',
          'if-match',
          'idempotency-key',
          'x-request-id',
        ]),
      );
      expect(res.headers.vary).toMatch(/origin/i);
    });

    it('exposes the headers a client reads on an actual request', async () => {
      const res = await app().http().get('/tasks').set(as(ALICE)).set('origin', ALLOWED);
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
      const exposed = res.headers['access-control-expose-headers'].toLowerCase().split(/,\s*/);
      expect(exposed).toEqual(
        expect.arrayContaining([
          'etag',
          'location',
          'ratelimit',
          'ratelimit-policy',
          'retry-after',
          'x-request-id',
        ]),
      );
    });

    it('refuses a preflight from an origin not listed, and grants it nothing', async () => {
      const res = await preflight('http://127.0.0.1:6666');
      expect(res.status).toBe(404);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(res.headers['access-control-allow-methods']).toBeUndefined();

      const actual = await app()
        .http()
        .get('/tasks')
        .set(as(ALICE))
        .set('origin', 'https://evil.test');
      expect(actual.headers['access-control-allow-origin']).toBeUndefined();
    });
  });
});

describe('CORS with no CORS_ORIGINS (the default)', () => {
  const app = useTestApp('memory');

  it('allows no origin', async () => {
    const res = await app()
      .http()
      .options('/tasks')
      .set('origin', ALLOWED)
      .set('access-control-request-method', 'GET');
    expect(res.status).toBe(404);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});
