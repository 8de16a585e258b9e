import { ConsoleLogger, Logger } from '@nestjs/common';
import { ConfigError, loadConfig } from '@taskflow/platform';
import { BootstrapAdminSeeder } from './bootstrap-admin.seeder';
import { identityHarness, IdentityHarness } from './testing/identity-harness';
import { BcryptPasswordHasher } from '../infrastructure/crypto/bcrypt-password-hasher';

const ADMIN_PASSWORD = 'bootstrap admin passphrase';

function seederFor(h: IdentityHarness, password = ADMIN_PASSWORD): BootstrapAdminSeeder {
  const config = loadConfig({
    NODE_ENV: 'test',
    BCRYPT_COST: '4',
    JWT_SECRET: 'harness-secret-that-is-at-least-32-bytes',
    BOOTSTRAP_ADMIN_ID: 'root',
    BOOTSTRAP_ADMIN_PASSWORD: password,
  });
  return new BootstrapAdminSeeder(config, h.accounts, new BcryptPasswordHasher(config), h.clock);
}

describe('BootstrapAdminSeeder', () => {
  let h: IdentityHarness;
  let warnings: string[];
  beforeEach(async () => {
    h = await identityHarness();
    warnings = [];
    Logger.overrideLogger({
      log: () => undefined,
      error: () => undefined,
      warn: (message: unknown) => warnings.push(String(message)),
    });
  });
  afterAll(() => Logger.overrideLogger(new ConsoleLogger()));

  it('creates the admin when absent, and it can log in', async () => {
    await seederFor(h).onApplicationBootstrap();
    expect(await h.accounts.findById('root')).toMatchObject({ role: 'admin', status: 'active' });
    await expect(h.sessions.login('root', ADMIN_PASSWORD).then(h.sessionOf)).resolves.toEqual({
      accountId: 'root',
      role: 'admin',
      expiresInSeconds: 900,
      refresh: { accountId: 'root', generation: 0 },
    });
  });

  it('leaves an existing account as it is', async () => {
    await seederFor(h).onApplicationBootstrap();
    await h.accounts.disable('root', h.clock.now());
    await seederFor(h, 'another long passphrase').onApplicationBootstrap();
    expect(await h.accounts.findById('root')).toMatchObject({ status: 'disabled' });
    await expect(h.sessions.login('root', 'another long passphrase')).rejects.toThrow();
  });

  it('does not promote a self-registered account that took the id first', async () => {
    await h.accountService.register({
      id: 'root',
      name: 'Squatter',
      role: 'human',
      password: 'squatter passphrase',
    });
    await seederFor(h).onApplicationBootstrap();
    expect(await h.accounts.findById('root')).toMatchObject({ role: 'human', name: 'Squatter' });
    expect(warnings).toEqual([
      'BOOTSTRAP_ADMIN_ID root is taken by a human account; it was not made an admin',
    ]);
  });

  it('copes with another instance creating it at the same time', async () => {
    await Promise.all([
      seederFor(h).onApplicationBootstrap(),
      seederFor(h).onApplicationBootstrap(),
    ]);
    expect(await h.accounts.findById('root')).toMatchObject({ role: 'admin' });
  });

  it('stops the start with a ConfigError when the password breaks the policy', async () => {
    await expect(seederFor(h, 'too short').onApplicationBootstrap()).rejects.toThrow(ConfigError);
    expect(await h.accounts.findById('root')).toBeNull();
  });
});
