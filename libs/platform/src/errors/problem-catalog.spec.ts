import { PROBLEM_CATALOG, problemTypeForStatus } from './problem-catalog';

describe('problem catalogue', () => {
  it('gives each problem type one status, so a client can branch on the type alone', () => {
    const statusesBySlug = new Map<string, Set<number>>();
    const types = [
      ...Object.values(PROBLEM_CATALOG),
      ...[400, 401, 403, 404, 405, 406, 408, 409, 412, 413, 414, 415, 422, 429, 431, 503].map(
        problemTypeForStatus,
      ),
    ];
    for (const { slug, status } of types) {
      statusesBySlug.set(slug, (statusesBySlug.get(slug) ?? new Set()).add(status));
    }
    const shared = [...statusesBySlug].filter(([, statuses]) => statuses.size > 1);
    expect(shared).toEqual([]);
  });

  it.each([
    [408, 'request-timeout'],
    [431, 'request-header-fields-too-large'],
  ])('types a %i by its own problem, not bad-request', (status, slug) => {
    expect(problemTypeForStatus(status)).toMatchObject({ status, slug });
  });

  it('types a reset token refusal apart from a refresh token refusal', () => {
    expect(PROBLEM_CATALOG['AUTH.INVALID_RESET_TOKEN'].slug).not.toBe(
      PROBLEM_CATALOG['AUTH.INVALID_REFRESH_TOKEN'].slug,
    );
  });
});
