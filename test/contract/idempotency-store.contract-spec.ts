import {
  IdempotencyModule,
  IdempotencyRecord,
  IdempotencyStore,
  StoredResponse,
} from '@taskflow/idempotency';
import { UnitOfWork } from '@taskflow/platform';
import { testDrivers } from '../support/drivers';
import { startStores, Stores } from '../support/stores';

const T0 = new Date('2030-07-01T00:00:00.000Z');
const later = (ms: number): Date => new Date(T0.getTime() + ms);
const unique = (): string => Math.random().toString(36).slice(2, 10);

const aRecord = (overrides: Partial<IdempotencyRecord> = {}): IdempotencyRecord => ({
  scope: `scope-${unique()}`,
  fingerprint: 'fp-1',
  response: null,
  lockedUntil: later(60_000),
  expiresAt: later(86_400_000),
  ...overrides,
});

const CREATED: StoredResponse = {
  status: 201,
  headers: { etag: '"1"', location: '/tasks/t1' },
  body: { id: 't1' },
};

describe.each(testDrivers())('IdempotencyStore contract (%s)', (driver) => {
  let s: Stores;
  let store: IdempotencyStore;
  let unitOfWork: UnitOfWork;

  beforeAll(async () => {
    s = await startStores(driver, (d) => [IdempotencyModule.register({ driver: d })]);
    store = s.get(IdempotencyStore);
    unitOfWork = s.get(UnitOfWork);
  });
  afterAll(() => s.close());

  const complete = (record: IdempotencyRecord, response = CREATED) =>
    unitOfWork.run(() => store.complete(record.scope, response, record.expiresAt));

  it('claims a new scope once; a repeat sees the claim in flight', async () => {
    const record = aRecord();
    expect(await store.claim(record, T0)).toEqual({ claimed: true });
    expect(await store.claim({ ...record, fingerprint: 'fp-2' }, later(1))).toEqual({
      claimed: false,
      existing: record,
    });
  });

  it('gives one of many concurrent first claims the scope', async () => {
    const record = aRecord();
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => store.claim(record, T0)));
    expect(results.filter((result) => result.claimed)).toHaveLength(1);
  });

  it('keeps the completed response for repeats, status, headers and body', async () => {
    const record = aRecord();
    await store.claim(record, T0);
    await complete(record);
    expect(await store.claim(aRecord({ scope: record.scope }), later(2))).toEqual({
      claimed: false,
      existing: { ...record, response: CREATED },
    });
  });

  it('keeps a body-less response', async () => {
    const record = aRecord();
    await store.claim(record, T0);
    const noContent = { status: 204, headers: { etag: '"2"' }, body: undefined };
    await complete(record, noContent);
    const repeat = await store.claim(aRecord({ scope: record.scope }), later(1));
    expect(repeat.claimed).toBe(false);
    if (!repeat.claimed) {
      expect(repeat.existing.response?.status).toBe(204);
      expect(repeat.existing.response?.headers).toEqual({ etag: '"2"' });
      expect(repeat.existing.response?.body ?? null).toBeNull();
    }
  });

  it('drops an in-flight claim on release, so the key can be claimed again', async () => {
    const record = aRecord();
    await store.claim(record, T0);
    await store.release(record.scope);
    expect(await store.claim(record, later(1))).toEqual({ claimed: true });
  });

  it('does not release a completed record', async () => {
    const record = aRecord();
    await store.claim(record, T0);
    await complete(record);
    await store.release(record.scope);
    expect((await store.claim(record, later(1))).claimed).toBe(false);
  });

  it('lets an abandoned in-flight claim be taken over after its lease', async () => {
    const record = aRecord();
    await store.claim(record, T0);
    expect((await store.claim(record, later(59_999))).claimed).toBe(false);
    const takeover = aRecord({
      scope: record.scope,
      fingerprint: 'fp-2',
      lockedUntil: later(120_000),
    });
    expect(await store.claim(takeover, later(60_000))).toEqual({ claimed: true });
    expect(await store.claim(record, later(60_001))).toEqual({
      claimed: false,
      existing: takeover,
    });
  });

  it('forgets a completed record once it expires', async () => {
    const record = aRecord({ expiresAt: later(10_000) });
    await store.claim(record, T0);
    await complete(record);
    expect((await store.claim(record, later(9_999))).claimed).toBe(false);
    expect(await store.claim(record, later(10_000))).toEqual({ claimed: true });
  });

  it('keeps scopes apart', async () => {
    const first = aRecord();
    await store.claim(first, T0);
    await complete(first);
    expect(await store.claim(aRecord(), T0)).toEqual({ claimed: true });
  });
});
