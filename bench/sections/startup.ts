import { readFileSync } from 'node:fs';
import { DIST_MAIN, ROUNDS, notes, startEntry, stop } from '../harness';
import { median } from '../stats';

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

/**
 * The CPU time (user + system, every thread) a process has used so far, from /proc/<pid>/stat.
 * Beside the wall time to /readyz, which on a shared machine also counts waiting for a core.
 */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The fields after the command name (which may hold spaces), from the state (field 3) on.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [utime, stime] = [Number(fields[11]), Number(fields[12])];
  return ((utime + stime) * 1000) / TICKS_PER_SECOND;
}

/**
 * The real entry point (the bundle): process start to /readyz 200, the CPU time spent by then,
 * then RSS when idle.
 */
export async function startup(): Promise<void> {
  const runs: { readyMs: number; cpuMs: number; rssMB: number }[] = [];
  for (let i = 0; i < Math.max(3, ROUNDS); i++) {
    const app = await startEntry(DIST_MAIN, { LOG_LEVEL: 'warn', BENCH_STDOUT: 'ignore' });
    try {
      const cpuAtReady = cpuMs(app.child.pid!);
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
