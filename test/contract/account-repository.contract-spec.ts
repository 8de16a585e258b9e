import {
  AccountAlreadyExists,
  AccountNotFound,
  AccountRepository,
  type AccountState,
} from '@taskflow/identity';
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
  sessionEpoch: null,
  revokedFamilies: {},
  ...overrides,
});

const T1 = new Date('2026-02-01T00:00:00.001Z');
const T2 = new Date('2026-02-01T00:00:05.000Z');
const T3 = new Date('2026-02-02T00:00:00.000Z');

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

  it('changes the password and moves the revocation, and nothing else', async () => {
    const account = anAccount();
    await accounts.create(account);
    await accounts.changePassword(account.id, 'new-hash', T1);
    expect(await accounts.findById(account.id)).toEqual({
      ...account,
      passwordHash: 'new-hash',
      sessionsValidAfter: T1,
      sessionEpoch: expect.any(String),
    });
  });

  it('disables and moves the revocation', async () => {
    const account = anAccount();
    await accounts.create(account);
    await accounts.disable(account.id, T1);
    expect(await accounts.findById(account.id)).toEqual({
      ...account,
      status: 'disabled',
      sessionsValidAfter: T1,
      sessionEpoch: expect.any(String),
    });
  });

  it('never moves the revocation back', async () => {
    const account = anAccount();
    await accounts.create(account);
    await accounts.revokeSessions(account.id, T2);
    await accounts.revokeSessions(account.id, T1);
    expect((await accounts.findById(account.id))?.sessionsValidAfter).toEqual(T2);
    await accounts.revokeSessions(account.id, T3);
    expect((await accounts.findById(account.id))?.sessionsValidAfter).toEqual(T3);
  });

  it('gives the account a new session epoch at every revocation, whatever its instant', async () => {
    const account = anAccount();
    await accounts.create(account);
    const epochs = new Set<string | null>([null]);
    await accounts.revokeSessions(account.id, T2);
    epochs.add((await accounts.findById(account.id))?.sessionEpoch ?? null);
    // An earlier instant does not move the revocation back, but still changes the epoch.
    await accounts.revokeSessions(account.id, T1);
    epochs.add((await accounts.findById(account.id))?.sessionEpoch ?? null);
    await accounts.changePassword(account.id, 'new-hash', T3);
    epochs.add((await accounts.findById(account.id))?.sessionEpoch ?? null);
    await accounts.disable(account.id, T3);
    epochs.add((await accounts.findById(account.id))?.sessionEpoch ?? null);
    expect(epochs.size).toBe(5);
  });

  it('marks revoked families, forgets the ones named, and changes nothing else', async () => {
    const account = anAccount();
    await accounts.create(account);
    await accounts.markFamilyRevoked(account.id, 'rf_one', T1, []);
    await accounts.markFamilyRevoked(account.id, 'rf_two', T2, []);
    await accounts.markFamilyRevoked(account.id, 'rf_three', T3, ['rf_one', 'rf_unknown']);
    expect(await accounts.findById(account.id)).toEqual({
      ...account,
      revokedFamilies: { rf_two: T2, rf_three: T3 },
    });
    await expect(accounts.markFamilyRevoked('u_nobody', 'rf_x', T1, [])).rejects.toBeInstanceOf(
      AccountNotFound,
    );
  });

  // FerretDB applies an update as read, modify, write of the whole document, so of two updates
  // of different fields racing on one account one can be lost; MongoDB applies each atomically.
  const atomicUpdates = driver === 'memory' || process.env.TASKFLOW_TEST_MONGODB_KIND === 'mongod';
  if (atomicUpdates)
    it('keeps both of a password change and a disable made at the same time', async () => {
      const account = anAccount();
      await accounts.create(account);
      await Promise.all([
        accounts.changePassword(account.id, 'new-hash', T1),
        accounts.disable(account.id, T1),
      ]);
      expect(await accounts.findById(account.id)).toMatchObject({
        passwordHash: 'new-hash',
        status: 'disabled',
      });
    });

  it('answers not found when changing an unknown account, and creates nothing', async () => {
    await expect(accounts.changePassword('u_nobody', 'h', T1)).rejects.toBeInstanceOf(
      AccountNotFound,
    );
    await expect(accounts.disable('u_nobody', T1)).rejects.toBeInstanceOf(AccountNotFound);
    await expect(accounts.revokeSessions('u_nobody', T1)).rejects.toBeInstanceOf(AccountNotFound);
    expect(await accounts.findById('u_nobody')).toBeNull();
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
