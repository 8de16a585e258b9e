import { loadConfig } from '../config/app-config';
import { loggableUrl } from './logging';

describe('loggableUrl', () => {
  it('keeps a URL without a query as it is', () => {
    expect(loggableUrl('/tasks/t_1')).toBe('/tasks/t_1');
  });

  it('masks secret query parameters and keeps the others', () => {
    expect(loggableUrl('/auth/reset?token=abc&lang=en')).toBe(
      '/auth/reset?token=%5BRedacted%5D&lang=en',
    );
    expect(loggableUrl('/x?Password=p&refresh_token=r&status=open')).toBe(
      '/x?Password=%5BRedacted%5D&refresh_token=%5BRedacted%5D&status=open',
    );
  });
});

describe('logging and shutdown settings', () => {
  const base = { DEV_MODE: 'true' };

  it('defaults to JSON lines and a 10 s grace period', () => {
    const config = loadConfig(base);
    expect(config.logPretty).toBe(false);
    expect(config.shutdownGraceSeconds).toBe(10);
  });

  it('reads LOG_PRETTY and SHUTDOWN_GRACE_SECONDS', () => {
    const config = loadConfig({ ...base, LOG_PRETTY: 'true', SHUTDOWN_GRACE_SECONDS: '0' });
    expect(config.logPretty).toBe(true);
    expect(config.shutdownGraceSeconds).toBe(0);
  });

  it('refuses pretty logs in production and a grace period that is not a whole number of seconds', () => {
    const load = (env: Record<string, string>) => () =>
      loadConfig({ JWT_SECRET: 'x'.repeat(32), ...env });
    expect(load({ NODE_ENV: 'production', LOG_PRETTY: 'true' })).toThrow(
      'LOG_PRETTY=true is refused when NODE_ENV=production',
    );
    expect(load({ SHUTDOWN_GRACE_SECONDS: '2.5' })).toThrow('SHUTDOWN_GRACE_SECONDS');
    expect(load({ SHUTDOWN_GRACE_SECONDS: '-1' })).toThrow('SHUTDOWN_GRACE_SECONDS');
    expect(load({ LOG_PRETTY: 'yes' })).toThrow('LOG_PRETTY');
  });
});
