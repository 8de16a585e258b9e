/**
 * An evenly paced open-loop load: request i is due at start + i / rate whatever happened to the
 * earlier ones, and its latency is measured from that due time (so a stall delays every request
 * due during it, as it would a real client's, instead of pausing the generator: no coordinated
 * omission). autocannon's `overallRate` is a per-second quota instead — it loads fully until the
 * second's quota is spent, then idles — so it does not measure a steady half load (issue 17).
 * Runs in the runner's process, never in the server's. Keep-alive sockets, as many as needed.
 */
import * as http from 'node:http';
import { percentile } from './stats';

export interface OpenLoopResult {
  rate: number;
  sent: number;
  achievedRate: number;
  p50: number;
  p99: number;
  max: number;
}

export async function openLoop(
  url: string,
  options: { path: string; headers?: Record<string, string>; rate: number; seconds: number },
): Promise<OpenLoopResult> {
  const target = new URL(options.path, url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const total = Math.floor(options.rate * options.seconds);
  const latencies: number[] = [];
  const failures: string[] = [];
  let sent = 0;
  let done = 0;
  const started = performance.now();
  const due = (i: number) => started + (i * 1000) / options.rate;
  await new Promise<void>((resolve) => {
    const finish = () => {
      if (++done === total) resolve();
    };
    const send = (i: number) => {
      const request = http.request(
        target,
        { method: 'GET', agent, headers: options.headers },
        (response) => {
          response.resume();
          response.on('end', () => {
            latencies.push(performance.now() - due(i));
            if (response.statusCode !== 200) failures.push(String(response.statusCode));
            finish();
          });
        },
      );
      request.on('error', (error) => {
        failures.push(error.message);
        finish();
      });
      request.end();
    };
    const tick = () => {
      const now = performance.now();
      while (sent < total && due(sent) <= now) send(sent++);
      if (sent < total) setTimeout(tick, Math.max(0, due(sent) - performance.now()));
    };
    tick();
  });
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  if (failures.length) {
    throw new Error(
      `open-loop run voided: ${failures.length} failures (${failures.slice(0, 5).join(', ')})`,
    );
  }
  return {
    rate: options.rate,
    sent: total,
    achievedRate: total / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: Math.max(...latencies),
  };
}
