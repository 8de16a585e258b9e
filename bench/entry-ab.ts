/**
 * Built entry points side by side, each started as production starts it (`node <main.js>`):
 * the same authenticated GET /tasks/:id sent to each in turn, a fixed number of requests per
 * batch over 10 keep-alive connections (autocannon, in this process), batches alternated, and the
 * server's own CPU time per request read from /proc/<pid>/stat around each batch. Prints each
 * entry's median µs per request and, against the first entry, the median and interquartile
 * range of the per-round ratios (so the machine's load falls on every entry alike).
 *
 *   ENTRIES=dist/apps/api/apps/api/src/main.js,dist/bundle/main.js [ROUNDS=20] [BATCH=20000] \
 *     npm exec -- node -r @swc-node/register bench/entry-ab.ts
 */
import autocannon from 'autocannon';
import path from 'node:path';
import { cpuMicros, getTaskFixture, ROOT, startEntry, stop, type Server } from './harness';
import { median, percentile } from './stats';

const ENTRIES = (process.env.ENTRIES ?? '').split(',').filter(Boolean);
const ROUNDS = Number(process.env.ROUNDS ?? 20);
const BATCH = Number(process.env.BATCH ?? 20_000);

async function batch(server: Server, load: { path: string; headers: Record<string, string> }) {
  const pid = server.child.pid as number;
  const before = cpuMicros(pid);
  const result = await autocannon({
    url: server.url + load.path,
    headers: load.headers,
    connections: 10,
    amount: BATCH,
  });
  if (result.non2xx + result.errors + result.timeouts > 0) throw new Error('batch voided');
  return (cpuMicros(pid) - before) / BATCH;
}

async function main(): Promise<void> {
  if (ENTRIES.length < 2) throw new Error('ENTRIES: two or more comma-separated main.js paths');
  const servers: Server[] = [];
  try {
    for (const entry of ENTRIES) servers.push(await startEntry(path.resolve(ROOT, entry)));
    const loads = [];
    for (const server of servers)
      loads.push((await getTaskFixture(server.url, 'entry-ab')).getTask);
    for (let i = 0; i < servers.length; i++) await batch(servers[i], loads[i]); // warm-up
    const samples: number[][] = servers.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      const order = servers.map((_, i) => i);
      if (round % 2) order.reverse();
      for (const i of order) samples[i].push(await batch(servers[i], loads[i]));
    }
    const base = samples[0];
    ENTRIES.forEach((entry, i) => {
      const ratios = samples[i].map((us, r) => us / base[r]);
      console.log(
        `${entry}: ${median(samples[i]).toFixed(1)} µs/request` +
          (i === 0
            ? ''
            : `, ratio to the first ${median(ratios).toFixed(3)} (IQR ${percentile(ratios, 25).toFixed(3)}–${percentile(ratios, 75).toFixed(3)})`),
      );
    });
  } finally {
    for (const server of servers) await stop(server.child);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
