import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { APP_ENV, DIST_MAIN, ROUNDS, children, notes, stop } from '../harness';
import { median } from '../stats';

/** The real entry point (the bundle): process start to /readyz 200, then RSS when idle. */
export async function startup(): Promise<void> {
  const runs: { readyMs: number; rssMB: number }[] = [];
  for (let i = 0; i < Math.max(3, ROUNDS); i++) {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const started = performance.now();
    const child = spawn(process.execPath, [DIST_MAIN], {
      env: { ...process.env, ...APP_ENV, PORT: String(port), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.add(child);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      for (;;) {
        if (child.exitCode !== null) {
          // A random port can be taken by a neighbour's server: try again on another.
          if (/EADDRINUSE/.test(stderr)) break;
          throw new Error(`main.js exited with ${child.exitCode}: ${stderr}`);
        }
        const ok = await fetch(`http://127.0.0.1:${port}/readyz`)
          .then((res) => res.status === 200)
          .catch(() => false);
        if (ok) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      if (child.exitCode !== null) continue;
      const readyMs = performance.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const rssKB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
      runs.push({ readyMs, rssMB: rssKB / 1024 });
    } finally {
      await stop(child);
      children.delete(child);
    }
  }
  const readyMs = median(runs.map((r) => r.readyMs));
  const rssMB = median(runs.map((r) => r.rssMB));
  notes.startup = { readyMs, rssMB, runs, holds: readyMs <= 1500 && rssMB <= 150 };
}
