import { Clock } from '@taskflow/platform';
import type { Response } from 'supertest';
import type { TestApp } from './test-app';

export const DEV_PASSWORD = 'taskflow-dev-password';
/** The JWT secret the identity suites pass, so they can forge tokens with it. */
export const JWT_SECRET = 'e2e-secret-that-is-at-least-32-bytes-long';

export interface TokenPairBody {
  access_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

export async function login(
  t: TestApp,
  id: string,
  password = DEV_PASSWORD,
): Promise<TokenPairBody> {
  const res = await t.http().post('/auth/login').send({ id, password });
  if (res.status !== 200) throw new Error(`login ${id}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as TokenPairBody;
}

export const bearer = (token: string): { authorization: string } => ({
  authorization: `Bearer ${token}`,
});

/** The JSON payload of a JWT, read without verifying it. */
export const payloadOf = (jwt: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;

/** A refresh answered with a bearer pair for `accountId`: the pair's shape and its subject. */
export function expectPairFor(res: Response, accountId: string): TokenPairBody {
  expect({ status: res.status, body: res.body as unknown }).toEqual({
    status: 200,
    body: {
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 900,
    },
  });
  expect(payloadOf(res.body.access_token)).toMatchObject({ sub: accountId });
  return res.body as TokenPairBody;
}

/** A problem body without the member that differs on every request. */
export const sansRequestId = (body: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(body).filter(([key]) => key !== 'request_id'));

export interface ClockControl {
  /** Moves the app's clock forward from wherever it is. */
  advance(milliseconds: number): void;
  /** Stops the app's clock at `at` (real time by default) until advanced. */
  freeze(at?: Date): Date;
}

/**
 * Steers the app's Clock provider. It keeps following real time (plus what was advanced) unless
 * frozen, so JWT expiry, which the verifier checks against real time, stays consistent.
 */
export function controlClock(t: TestApp): ClockControl {
  let offset = 0;
  let frozen: number | null = null;
  jest
    .spyOn(t.app.get(Clock), 'now')
    .mockImplementation(() => new Date(frozen ?? Date.now() + offset));
  return {
    advance: (milliseconds) => {
      if (frozen !== null) frozen += milliseconds;
      else offset += milliseconds;
    },
    freeze: (at = new Date()) => {
      frozen = at.getTime();
      return at;
    },
  };
}
