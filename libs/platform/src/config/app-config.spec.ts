import { ConfigError, loadConfig } from './app-config';

const SECRET = 'a-secret-that-is-at-least-32-bytes-long';
const PRODUCTION = { NODE_ENV: 'production', JWT_SECRET: SECRET };

const problemsOf = (env: Record<string, string>): string => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('loadConfig: authentication settings', () => {
  it('has the documented defaults', () => {
    const config = loadConfig(PRODUCTION);
    expect(config.jwt).toEqual({
      secret: SECRET,
      issuer: 'taskflow',
      audience: 'taskflow-api',
      accessTtlSeconds: 900,
    });
    expect(config.refreshTtlSeconds).toBe(30 * 24 * 60 * 60);
    expect(config.refreshGraceSeconds).toBe(10);
    expect(config.resetTokenTtlSeconds).toBe(30 * 60);
    expect(config.bcryptCost).toBe(12);
    expect(config.smtpUrl).toBeNull();
  });

  it('requires JWT_SECRET outside dev mode', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toContain(
      'JWT_SECRET is required outside dev mode (at least 32 bytes)',
    );
  });

  it('refuses a JWT_SECRET shorter than 32 bytes, in dev mode too', () => {
    const short = 'x'.repeat(31);
    expect(problemsOf({ ...PRODUCTION, JWT_SECRET: short })).toContain(
      'JWT_SECRET must be at least 32 bytes long',
    );
    expect(problemsOf({ DEV_MODE: 'true', JWT_SECRET: short })).toContain(
      'JWT_SECRET must be at least 32 bytes long',
    );
  });

  it('makes a random secret in dev mode when none is set', () => {
    const a = loadConfig({ DEV_MODE: 'true' });
    const b = loadConfig({ DEV_MODE: 'true' });
    expect(Buffer.byteLength(a.jwt.secret)).toBeGreaterThanOrEqual(32);
    expect(a.jwt.secret).not.toBe(b.jwt.secret);
  });

  it('refuses DEV_MODE=true with NODE_ENV=production', () => {
    expect(problemsOf({ ...PRODUCTION, DEV_MODE: 'true' })).toContain(
      'DEV_MODE=true is refused when NODE_ENV=production',
    );
  });

  it('reads REFRESH_GRACE_SECONDS and RESET_TOKEN_TTL', () => {
    const config = loadConfig({
      ...PRODUCTION,
      REFRESH_GRACE_SECONDS: '0',
      RESET_TOKEN_TTL: '600',
    });
    expect(config.refreshGraceSeconds).toBe(0);
    expect(config.resetTokenTtlSeconds).toBe(600);
  });

  it.each([
    ['REFRESH_GRACE_SECONDS', '61'],
    ['REFRESH_GRACE_SECONDS', '-1'],
    ['REFRESH_GRACE_SECONDS', 'ten'],
    ['RESET_TOKEN_TTL', '59'],
    ['SMTP_URL', 'http://mail.example.test'],
    ['EVENT_STREAMS_PER_ACCOUNT', '0'],
    ['EVENT_STREAMS_PER_ACCOUNT', 'five'],
    ['EVENT_STREAM_MAX_SECONDS', '0'],
    ['EVENT_STREAM_MAX_SECONDS', '86401'],
    ['WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT', '0'],
    ['WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT', '101'],
    ['WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT', 'four'],
    ['WEBHOOK_MAX_IN_FLIGHT', '0'],
    ['WEBHOOK_MAX_IN_FLIGHT', '1001'],
    ['WEBHOOK_MAX_IN_FLIGHT', '2.5'],
  ])('names %s=%s as a bad value', (name, value) => {
    expect(problemsOf({ ...PRODUCTION, [name]: value })).toMatch(new RegExp(`- ${name}`));
  });

  it('reads EVENT_STREAMS_PER_ACCOUNT (default 5)', () => {
    expect(loadConfig(PRODUCTION).eventStreamsPerAccount).toBe(5);
    expect(
      loadConfig({ ...PRODUCTION, EVENT_STREAMS_PER_ACCOUNT: '2' }).eventStreamsPerAccount,
    ).toBe(2);
  });

  it('reads the webhook limits (default 4 in flight per endpoint, 32 per instance)', () => {
    expect(loadConfig(PRODUCTION)).toMatchObject({
      webhookMaxInFlightPerEndpoint: 4,
      webhookMaxInFlight: 32,
    });
    expect(
      loadConfig({
        ...PRODUCTION,
        WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT: '16',
        WEBHOOK_MAX_IN_FLIGHT: '64',
      }),
    ).toMatchObject({ webhookMaxInFlightPerEndpoint: 16, webhookMaxInFlight: 64 });
    expect(problemsOf({ ...PRODUCTION, WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT: '40' })).toMatch(
      /WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT must not exceed WEBHOOK_MAX_IN_FLIGHT/,
    );
  });

  it('reads EVENT_STREAM_MAX_SECONDS (default 30 minutes)', () => {
    expect(loadConfig(PRODUCTION).eventStreamMaxSeconds).toBe(1800);
    expect(loadConfig({ ...PRODUCTION, EVENT_STREAM_MAX_SECONDS: '2' }).eventStreamMaxSeconds).toBe(
      2,
    );
  });

  it('accepts smtp:// and smtps:// URLs', () => {
    expect(loadConfig({ ...PRODUCTION, SMTP_URL: 'smtp://127.0.0.1:2525' }).smtpUrl).toBe(
      'smtp://127.0.0.1:2525',
    );
    expect(
      loadConfig({ ...PRODUCTION, SMTP_URL: 'smtps://user:pass@mail.example.test' }).smtpUrl,
    ).toBe('smtps://user:pass@mail.example.test');
  });
});

describe('loadConfig: webhooks', () => {
  it('dispatches, and keeps webhooks off private addresses outside dev mode, by default', () => {
    expect(loadConfig(PRODUCTION)).toMatchObject({
      webhookDispatch: true,
      webhookAllowPrivate: false,
    });
    expect(loadConfig({ DEV_MODE: 'true' }).webhookAllowPrivate).toBe(true);
  });

  it('reads WEBHOOK_DISPATCH and WEBHOOK_ALLOW_PRIVATE, and refuses other values', () => {
    const config = loadConfig({
      ...PRODUCTION,
      WEBHOOK_DISPATCH: 'off',
      WEBHOOK_ALLOW_PRIVATE: 'true',
    });
    expect(config).toMatchObject({ webhookDispatch: false, webhookAllowPrivate: true });
    expect(() => loadConfig({ ...PRODUCTION, WEBHOOK_DISPATCH: 'maybe' })).toThrow(
      /WEBHOOK_DISPATCH/,
    );
    expect(() => loadConfig({ ...PRODUCTION, WEBHOOK_ALLOW_PRIVATE: 'yes' })).toThrow(
      /WEBHOOK_ALLOW_PRIVATE/,
    );
  });
});

describe('loadConfig: HTTP limits and browser origins', () => {
  it('has finite request and connection timeouts and no CORS origin by default', () => {
    expect(loadConfig(PRODUCTION)).toMatchObject({
      requestTimeoutSeconds: 30,
      connectionTimeoutSeconds: 120,
      corsOrigins: [],
    });
  });

  it('reads CORS_ORIGINS as a list of origins', () => {
    const config = loadConfig({
      ...PRODUCTION,
      CORS_ORIGINS: 'https://app.example.com, http://127.0.0.1:5173,http://[::1]:8081',
    });
    expect(config.corsOrigins).toEqual([
      'https://app.example.com',
      'http://127.0.0.1:5173',
      'http://[::1]:8081',
    ]);
  });

  it.each([
    ['CORS_ORIGINS', '*'],
    ['CORS_ORIGINS', 'https://app.example.com/path'],
    ['CORS_ORIGINS', 'app.example.com'],
    ['REQUEST_TIMEOUT_SECONDS', '0'],
    ['REQUEST_TIMEOUT_SECONDS', 'soon'],
    ['CONNECTION_TIMEOUT_SECONDS', '0'],
  ])('names %s=%s as a bad value', (name, value) => {
    expect(problemsOf({ ...PRODUCTION, [name]: value })).toMatch(new RegExp(`- ${name}`));
  });

  it('refuses a connection timeout that would cut a request before its 408', () => {
    expect(
      problemsOf({
        ...PRODUCTION,
        REQUEST_TIMEOUT_SECONDS: '60',
        CONNECTION_TIMEOUT_SECONDS: '60',
      }),
    ).toMatch(/CONNECTION_TIMEOUT_SECONDS must be greater than REQUEST_TIMEOUT_SECONDS/);
  });
});
