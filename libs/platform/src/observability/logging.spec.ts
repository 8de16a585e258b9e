import { loadConfig } from '../config/app-config';
import { createRootLogger, loggableUrl } from './logging';

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

describe('createRootLogger redaction', () => {
  const linesOf = (log: (logger: ReturnType<typeof createRootLogger>) => void): string[] => {
    const lines: string[] = [];
    const logger = createRootLogger(loadConfig({ DEV_MODE: 'true', LOG_LEVEL: 'info' }), {
      write: (line: string) => lines.push(line),
    });
    log(logger);
    return lines;
  };

  it('masks secret fields at the top level, one level down, and three levels into err', () => {
    const [line] = linesOf((logger) =>
      logger.error(
        {
          password: 'secret-top',
          body: { new_password: 'secret-nested', title: 'kept' },
          err: { message: 'boom', response: { body: { refresh_token: 'secret-in-err' } } },
        },
        'failed',
      ),
    );
    for (const secret of ['secret-top', 'secret-nested', 'secret-in-err']) {
      expect(line).not.toContain(secret);
    }
    expect(JSON.parse(line)).toMatchObject({
      password: '[Redacted]',
      body: { new_password: '[Redacted]', title: 'kept' },
      err: { response: { body: { refresh_token: '[Redacted]' } } },
    });
  });

  it('keeps a child logger’s bindings as they are', () => {
    const [line] = linesOf((logger) => logger.child({ request_id: 'r-1' }).info('hello'));
    expect(JSON.parse(line)).toMatchObject({ request_id: 'r-1', msg: 'hello' });
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
