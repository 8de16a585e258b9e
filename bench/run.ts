/**
 * The benchmark runner: `npm run bench` (see bench/README.md). Every figure is a ratio to a
 * baseline measured in the same run — this machine is shared and noisy — with each pair measured
 * alternately over several rounds and the medians reported. The app and every baseline run in
 * their own processes, so autocannon never shares an event loop with what it measures. One file
 * per section under bench/sections/; what they share is bench/harness.ts.
 *
 *   npm run bench                          # everything, about 13 minutes
 *   BENCH_QUICK=1 npm run bench            # a fast sanity run (short runs, small sizes)
 *   npm run bench -- throughput login      # only some sections (see SECTIONS)
 *   npm run bench -- login-timing          # login answer times per outcome (no user enumeration)
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  BCRYPT_COST,
  CONNECTIONS,
  DIST_MAIN,
  DURATION,
  LARGE,
  QUICK,
  ROUNDS,
  SMALL,
  WARMUP,
  children,
  notes,
  print,
  rows,
} from './harness';
import { loginTiming } from './login-timing';
import { logging } from './sections/logging';
import { loginSection } from './sections/login';
import { mongo } from './sections/mongo';
import { profile } from './sections/profile';
import { scale } from './sections/scale';
import { startup } from './sections/startup';
import { throughput } from './sections/throughput';
import { webhooks } from './sections/webhooks';

const SECTIONS = {
  throughput,
  login: loginSection,
  scale,
  startup,
  mongo,
  profile,
  logging,
  webhooks,
} as const;
type Section = keyof typeof SECTIONS | 'login-timing';

async function main(): Promise<void> {
  const asked = process.argv.slice(2) as Section[];
  const known = [...Object.keys(SECTIONS), 'login-timing'];
  const unknown = asked.filter((s) => !known.includes(s));
  if (unknown.length)
    throw new Error(`unknown section(s) ${unknown.join(', ')}; known: ${known.join(', ')}`);
  if (asked.length === 1 && asked[0] === 'login-timing') return loginTiming();
  const sections = (asked.length ? asked : Object.keys(SECTIONS)).filter(
    (s): s is keyof typeof SECTIONS => s in SECTIONS,
  );
  if (!existsSync(DIST_MAIN)) throw new Error('dist/ is missing: run `npm run build` first');

  const machine = {
    cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}`,
    memoryGB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    loadavg: os.loadavg(),
  };
  const settings = { QUICK, DURATION, WARMUP, ROUNDS, CONNECTIONS, SMALL, LARGE, BCRYPT_COST };
  console.log(JSON.stringify({ machine, settings }));
  const failures: Record<string, string> = {};
  for (const section of sections) {
    console.log(`… ${section}`);
    // One failing section (a voided run, a missing server) still leaves the others' figures.
    await SECTIONS[section]().catch((error: unknown) => {
      console.error(error);
      failures[section] = String(error);
      process.exitCode = 1;
    });
  }
  if (Object.keys(failures).length) notes.failures = failures;
  const finished = { ...machine, loadavgAtEnd: os.loadavg() };
  print();
  console.log(
    `node ${process.version}, load average at start ${machine.loadavg.map((l) => l.toFixed(2)).join(' ')}, at end ${finished.loadavgAtEnd.map((l) => l.toFixed(2)).join(' ')}`,
  );
  const dir = path.join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const json = JSON.stringify(
    { at: new Date().toISOString(), machine: finished, settings, rows, notes },
    null,
    2,
  );
  writeFileSync(path.join(dir, `bench-${Date.now()}.json`), json);
  writeFileSync(path.join(dir, 'latest.json'), json);
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const child of children) child.kill('SIGKILL');
  });
