/**
 * Login timing: how long POST /auth/login takes for an unknown account, a known one with a wrong
 * password, a disabled one and a right password, through the whole HTTP app in process (Fastify
 * inject, no socket). The first three must take about the same time, or the answer time tells
 * an attacker which ids exist.
 *
 *   npm run bench -- login-timing                     # bcrypt cost 12 (the default), 40 rounds
 *   BCRYPT_COST=10 BENCH_ROUNDS=100 npm run bench -- login-timing
 */
import 'reflect-metadata';
import { loadConfig } from '@taskflow/platform';
import { randomBytes } from 'node:crypto';
import { createApp } from '../apps/api/src/bootstrap';
import { median } from './stats';

const PASSWORD = 'taskflow-dev-password';

export async function loginTiming(): Promise<void> {
  const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 40);
  const config = loadConfig({
    NODE_ENV: 'development',
    DEV_MODE: 'true',
    JWT_SECRET: randomBytes(32).toString('base64url'),
    BCRYPT_COST: process.env.BCRYPT_COST ?? '12',
    RATE_LIMIT_GLOBAL: 'off',
    RATE_LIMIT_AUTH: 'off',
  });
  const app = await createApp(config, { logger: false });
  await app.init();
  const fastify = app.getHttpAdapter().getInstance();
  await fastify.ready();

  const post = async (url: string, body: object, token?: string) =>
    fastify.inject({
      method: 'POST',
      url,
      payload: body,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
  const admin = JSON.parse((await post('/auth/login', { id: 'u_admin', password: PASSWORD })).body);
  await post('/users/u_bob/disable', {}, admin.access_token);

  const cases: Record<string, { id: string; password: string; status: number }> = {
    'unknown account': { id: 'u_nobody', password: PASSWORD, status: 401 },
    'wrong password': { id: 'u_alice', password: 'not-the-password', status: 401 },
    'disabled account': { id: 'u_bob', password: PASSWORD, status: 401 },
    'right password': { id: 'u_alice', password: PASSWORD, status: 200 },
  };
  const samples: Record<string, number[]> = Object.fromEntries(
    Object.keys(cases).map((name) => [name, []]),
  );
  // Interleaved, after a warm-up round, so drift (JIT, CPU frequency, neighbours) hits all alike.
  for (let round = -2; round < ROUNDS; round++) {
    for (const [name, login] of Object.entries(cases)) {
      const started = process.hrtime.bigint();
      const res = await post('/auth/login', { id: login.id, password: login.password });
      const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
      if (res.statusCode !== login.status) {
        throw new Error(`${name}: expected ${login.status}, got ${res.statusCode} ${res.body}`);
      }
      if (round >= 0) samples[name].push(elapsed);
    }
  }
  await app.close();

  const medians = Object.fromEntries(
    Object.entries(samples).map(([name, values]) => [name, median(values)]),
  );
  console.log(`bcrypt cost ${config.bcryptCost}, ${ROUNDS} logins each, medians:`);
  for (const [name, value] of Object.entries(medians)) {
    console.log(`  ${name.padEnd(17)} ${value.toFixed(1)} ms`);
  }
  const unknown = medians['unknown account'];
  const known = medians['wrong password'];
  console.log(`ratio unknown / known (wrong password): ${(unknown / known).toFixed(3)}`);
  console.log(
    `ratio disabled / known (wrong password): ${(medians['disabled account'] / known).toFixed(3)}`,
  );
}
