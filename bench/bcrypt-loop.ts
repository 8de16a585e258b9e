/**
 * The login baseline, in its own process (forked with IPC): BENCH_CONNECTIONS concurrent loops of
 * bare `bcrypt.compare` at BCRYPT_COST for BENCH_DURATION seconds — the hashing a login cannot
 * avoid. Sends back compares per second and p50/p99 latency.
 */
import * as bcrypt from 'bcrypt';
import { percentile } from './stats';

async function main(): Promise<void> {
  const cost = Number(process.env.BCRYPT_COST ?? 10);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
  const seconds = Number(process.env.BENCH_DURATION ?? 5);
  const hash = await bcrypt.hash('taskflow-dev-password', cost);
  const latencies: number[] = [];
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < until) {
        const begin = performance.now();
        if (!(await bcrypt.compare('taskflow-dev-password', hash))) throw new Error('no match');
        latencies.push(performance.now() - begin);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  process.send?.({
    type: 'result',
    rps: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    requests: latencies.length,
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
