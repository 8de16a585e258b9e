import { readFileSync } from 'node:fs';
import { DIST_MAIN, ROUNDS, cpuMicros, notes, startEntry, stop } from '../harness';
import { median } from '../stats';

/**
 * The real entry point (the bundle): process start to /readyz 200, the CPU time spent by then,
 * then RSS when idle.
 */
export async function startup(): Promise<void> {
  const runs: { readyMs: number; cpuMs: number; rssMB: number }[] = [];
  for (let i = 0; i < Math.max(3, ROUNDS); i++) {
    const app = await startEntry(DIST_MAIN, { LOG_LEVEL: 'warn', BENCH_STDOUT: 'ignore' });
    try {
      // The CPU time by /readyz, beside the wall time (which on a shared machine also counts
      // waiting for a core).
      const cpuAtReady = cpuMicros(app.child.pid) / 1000;
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const status = readFileSync(`/proc/${app.child.pid}/status`, 'utf8');
      const rssKB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
      runs.push({ readyMs: app.readyMs ?? NaN, cpuMs: cpuAtReady, rssMB: rssKB / 1024 });
    } finally {
      await stop(app.child);
    }
  }
  const readyMs = median(runs.map((r) => r.readyMs));
  const cpuAtReadyMs = median(runs.map((r) => r.cpuMs));
  const rssMB = median(runs.map((r) => r.rssMB));
  notes.startup = {
    readyMs,
    cpuMs: cpuAtReadyMs,
    rssMB,
    runs,
    holds: readyMs <= 1500 && rssMB <= 150,
  };
}
