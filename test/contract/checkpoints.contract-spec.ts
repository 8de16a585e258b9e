import { Checkpoints } from '@taskflow/platform';
import { testDrivers } from '../support/drivers';
import { startStores, Stores } from '../support/stores';

const unique = (): string => Math.random().toString(36).slice(2, 10);

describe.each(testDrivers())('Checkpoints contract (%s)', (driver) => {
  let s: Stores;
  let checkpoints: Checkpoints;

  beforeAll(async () => {
    s = await startStores(driver, () => []);
    checkpoints = s.get(Checkpoints);
  });
  afterAll(() => s.close());

  it('knows nothing of a name never set', async () => {
    expect(await checkpoints.get(`never-${unique()}`)).toBeNull();
  });

  it('gives back the instant last set, to the millisecond', async () => {
    const name = `sweep-${unique()}`;
    await checkpoints.set(name, new Date('2030-07-01T10:00:00.123Z'));
    expect(await checkpoints.get(name)).toEqual(new Date('2030-07-01T10:00:00.123Z'));
    await checkpoints.set(name, new Date('2030-07-01T09:00:00.000Z'));
    expect(await checkpoints.get(name)).toEqual(new Date('2030-07-01T09:00:00.000Z'));
  });

  it('keeps names apart', async () => {
    const [a, b] = [`a-${unique()}`, `b-${unique()}`];
    await checkpoints.set(a, new Date('2030-01-01T00:00:00.000Z'));
    await checkpoints.set(b, new Date('2031-01-01T00:00:00.000Z'));
    expect(await checkpoints.get(a)).toEqual(new Date('2030-01-01T00:00:00.000Z'));
    expect(await checkpoints.get(b)).toEqual(new Date('2031-01-01T00:00:00.000Z'));
  });

  it('survives concurrent first sets of one name', async () => {
    const name = `race-${unique()}`;
    const instants = [1, 2, 3, 4].map((i) => new Date(Date.UTC(2030, 0, i)));
    await Promise.all(instants.map((at) => checkpoints.set(name, at)));
    expect(instants).toContainEqual(await checkpoints.get(name));
  });
});
