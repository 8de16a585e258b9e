import { TEST_DRIVERS, startTestApp, TestApp } from '../support/test-app';
import { anAssignedTask, as, expectConsistent, historyOf } from '../support/workflow';

const CONCURRENT = 50;

const countBy = (statuses: number[]): Record<number, number> =>
  statuses.reduce<Record<number, number>>((counts, status) => {
    counts[status] = (counts[status] ?? 0) + 1;
    return counts;
  }, {});

describe.each(TEST_DRIVERS)('races through the API (%s driver)', (driver) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(driver);
  });
  afterAll(() => t.close());

  it(`lets exactly one of ${CONCURRENT} concurrent starts win; the rest get 409`, async () => {
    const id = await anAssignedTask(t);
    const responses = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, n) =>
        t
          .http()
          .post(`/tasks/${id}/start`)
          .set(as('u_bob'))
          .send({ comment: `attempt ${n}` }),
      ),
    );
    expect(countBy(responses.map((res) => res.status))).toEqual({ 200: 1, 409: CONCURRENT - 1 });

    const history = await historyOf(t, id);
    expectConsistent(history);
    expect(history.task).toMatchObject({ status: 'in_progress', version: 3 });
    // The winner's comment and no other: losers leave no record behind.
    expect(history.records.map((record) => record.kind)).toEqual(['comment']);
  });

  it(`lets exactly one of ${CONCURRENT} concurrent PATCHes with one If-Match win; the rest get 412`, async () => {
    const id = await anAssignedTask(t);
    const responses = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, n) =>
        t
          .http()
          .patch(`/tasks/${id}`)
          .set(as('u_alice'))
          .set('if-match', '"2"')
          .send({ title: `Edit ${n}` }),
      ),
    );
    expect(countBy(responses.map((res) => res.status))).toEqual({ 200: 1, 412: CONCURRENT - 1 });

    const history = await historyOf(t, id);
    expectConsistent(history);
    const winner = responses.find((res) => res.status === 200);
    expect(history.task).toMatchObject({ version: 3, title: winner?.body.title });
  });

  it('keeps version equal to the audit count under a burst of mixed writes', async () => {
    const id = await anAssignedTask(t);
    await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        n % 2 === 0
          ? t
              .http()
              .patch(`/tasks/${id}`)
              .set(as('u_alice'))
              .send({ description: `burst ${n}` })
          : t.http().post(`/tasks/${id}/start`).set(as('u_bob')).send({}),
      ),
    );
    expectConsistent(await historyOf(t, id));
  });
});
