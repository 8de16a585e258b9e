import { AccountAlreadyExists, AccountRepository, type AccountState } from '@taskflow/identity';
import { testDrivers } from '../support/drivers';
import { withDatabase } from '../support/mongo';
import { Persistence, startPersistence } from '../support/persistence';

const anAccount = (overrides: Partial<AccountState> = {}): AccountState => ({
  id: `u_${Math.random().toString(36).slice(2, 10)}`,
  name: 'Carol',
  role: 'human',
  email: 'carol@example.com',
  status: 'active',
  passwordHash: '$2b$04$abcdefghijklmnopqrstuv',
  createdAt: new Date('2026-01-01T09:00:00.000Z'),
  sessionsValidAfter: null,
  ...overrides,
});

describe.each(testDrivers())('AccountRepository contract (%s)', (driver) => {
  let p: Persistence;
  let accounts: AccountRepository;

  beforeAll(async () => {
    p = await startPersistence(driver);
    accounts = p.get(AccountRepository);
  });
  afterAll(() => p.close());

  it('creates an account and reads every field back', async () => {
    const account = anAccount({ role: 'agent', email: null });
    await accounts.create(account);
    expect(await accounts.findById(account.id)).toEqual(account);
  });

  it('answers null for an unknown id', async () => {
    expect(await accounts.findById('u_nobody')).toBeNull();
  });

  it('refuses a second account with the same id', async () => {
    const account = anAccount();
    await accounts.create(account);
    await expect(accounts.create({ ...account, name: 'Impostor' })).rejects.toBeInstanceOf(
      AccountAlreadyExists,
    );
    expect((await accounts.findById(account.id))?.name).toBe('Carol');
  });

  it('saves changes to an account', async () => {
    const account = anAccount();
    await accounts.create(account);
    const changed = {
      ...account,
      status: 'disabled',
      sessionsValidAfter: new Date('2026-02-01T00:00:00.000Z'),
    } as const;
    await accounts.save(changed);
    expect(await accounts.findById(account.id)).toEqual(changed);
  });

  if (driver === 'mongo') {
    it('refuses a stored role it does not know', async () => {
      const account = anAccount();
      await accounts.create(account);
      await withDatabase(p.mongoUri as string, (db) =>
        db
          .collection('accounts')
          .updateOne({ _id: account.id } as never, { $set: { role: 'root' } }),
      );
      await expect(accounts.findById(account.id)).rejects.toMatchObject({
        code: 'ACCOUNT.CORRUPT',
      });
    });
  }
});
