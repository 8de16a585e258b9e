/**
 * An evenly paced open-loop load: request i is due at start + i / rate whatever happened to the
 * earlier ones, and its latency is measured from that due time (so a stall delays every request
 * due during it, as it would a real client's, instead of pausing the generator: no coordinated
 * omission). autocannon's `overallRate` is a per-second quota instead — it loads fully until the
 * second's quota is spent, then idles — so it does not measure a steady half load (issue 17).
 * Runs in the runner's process, never in the server's. Keep-alive sockets, a new one whenever a
 * request is due and none is free; the request is written as prepared bytes and the answer
 * framed by Content-Length, so the generator costs little CPU (node:http's client cost ~4× more
 * per request: on this 2-core machine it fell behind its own schedule).
 */
import * as net from 'node:net';
import { percentile } from './stats';

export interface OpenLoopResult {
  rate: number;
  sent: number;
  achievedRate: number;
  sockets: number;
  /** The generator's own CPU time per request (the runner's process), µs. */
  generatorMicros: number;
  p50: number;
  p99: number;
  max: number;
}

interface Connection {
  socket: net.Socket;
  pending: Buffer;
  due: number;
}

const HEADER_END = Buffer.from('\r\n\r\n');

export async function openLoop(
  url: string,
  options: { path: string; headers?: Record<string, string>; rate: number; seconds: number },
): Promise<OpenLoopResult> {
  const target = new URL(url);
  const headers = Object.entries(options.headers ?? {})
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  const request = Buffer.from(
    `GET ${options.path} HTTP/1.1\r\nHost: ${target.host}\r\n${headers}\r\n`,
  );
  const total = Math.floor(options.rate * options.seconds);
  const latencies: number[] = [];
  const failures: string[] = [];
  const idle: Connection[] = [];
  const all: Connection[] = [];
  let sent = 0;
  let done = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const due = (i: number) => started + (i * 1000) / options.rate;

  await new Promise<void>((resolve) => {
    const finish = () => {
      if (++done === total) resolve();
    };
    const open = (): Connection => {
      const socket = net.connect({ host: target.hostname, port: Number(target.port) });
      socket.setNoDelay(true);
      const connection: Connection = { socket, pending: Buffer.alloc(0), due: 0 };
      socket.on('data', (chunk: Buffer) => {
        connection.pending =
          connection.pending.length === 0 ? chunk : Buffer.concat([connection.pending, chunk]);
        const end = connection.pending.indexOf(HEADER_END);
        if (end < 0) return;
        const head = connection.pending.toString('latin1', 0, end);
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (connection.pending.length < end + 4 + length) return;
        connection.pending = connection.pending.subarray(end + 4 + length);
        latencies.push(performance.now() - connection.due);
        if (!head.startsWith('HTTP/1.1 200')) failures.push(head.slice(9, 12));
        idle.push(connection);
        finish();
      });
      socket.on('error', (error) => {
        failures.push(error.message);
        finish();
      });
      all.push(connection);
      return connection;
    };
    const send = (i: number) => {
      const connection = idle.pop() ?? open();
      connection.due = due(i);
      connection.socket.write(request);
    };
    const tick = () => {
      const now = performance.now();
      while (sent < total && due(sent) <= now) send(sent++);
      if (sent < total) setTimeout(tick, Math.max(0, due(sent) - performance.now()));
    };
    tick();
  });
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  for (const connection of all) connection.socket.destroy();
  if (failures.length) {
    throw new Error(
      `open-loop run voided: ${failures.length} failures (${failures.slice(0, 5).join(', ')})`,
    );
  }
  return {
    rate: options.rate,
    sent: total,
    achievedRate: total / elapsed,
    sockets: all.length,
    generatorMicros: (cpu.user + cpu.system) / total,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: Math.max(...latencies),
  };
}
