/**
 * The heaviest frames of a V8 CPU profile (`node --cpu-prof`): self time per function, and total
 * time per package (node_modules/<name>, our libs, node internals), to see where a request goes.
 *
 *   npm run bench:profile -- bench/results/profiles/<file>.cpuprofile [count]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * In the bundle (dist/bundle/main.js) every frame has the same url: the module a line belongs to
 * is the nearest `// node_modules/…` or `// dist/…` comment esbuild writes above each module.
 */
const bundleModules = new Map<string, { lines: number[]; paths: string[] }>();
function bundleModule(url: string, line: number): string | null {
  if (!url.endsWith('/bundle/main.js')) return null;
  let index = bundleModules.get(url);
  if (!index) {
    index = { lines: [], paths: [] };
    readFileSync(new URL(url), 'utf8')
      .split('\n')
      .forEach((text, i) => {
        const comment = /^\s*\/\/ ((?:node_modules|dist)\/\S+)$/.exec(text);
        if (comment) {
          index?.lines.push(i);
          index?.paths.push(comment[1]);
        }
      });
    bundleModules.set(url, index);
  }
  let low = 0;
  let high = index.lines.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (index.lines[middle] <= line) low = middle;
    else high = middle - 1;
  }
  return index.lines[low] <= line ? `/${index.paths[low]}` : null;
}

const where = (url: string, line = 0): string => {
  const bundled = bundleModule(url, line);
  if (bundled) return where(bundled);
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1];
  const ours = /\/(libs\/[^/]+)\//.exec(url) ?? /\/(apps\/[^/]+)\//.exec(url);
  if (ours) return ours[1];
  return url.startsWith('node:') ? 'node internals' : url === '' ? '(native / gc / idle)' : url;
};

export function topFrames(file: string, count = 25): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  // Counted in samples, not in the time between them: on a loaded machine the thread is
  // descheduled now and then, and the time-delta after it would land on whatever frame was next
  // (mostly the socket write, a syscall). Busy time below is samples × the mean interval.
  profile.samples.forEach((id) => self.set(id, (self.get(id) ?? 0) + 1));
  const interval =
    profile.timeDeltas.reduce((a, b) => a + b, 0) / Math.max(1, profile.timeDeltas.length);
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const idle = [...self].filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)');
  const busy = total - idle.reduce((a, [, t]) => a + t, 0);

  const perFunction = new Map<string, number>();
  const perPackage = new Map<string, number>();
  for (const [id, time] of self) {
    const frame = (byId.get(id) as ProfileNode).callFrame;
    if (frame.functionName === '(idle)') continue;
    const from = where(frame.url, frame.lineNumber);
    const name = `${frame.functionName || '(anonymous)'} ${from}:${frame.lineNumber + 1}`;
    perFunction.set(name, (perFunction.get(name) ?? 0) + time);
    perPackage.set(from, (perPackage.get(from) ?? 0) + time);
  }
  const pct = (t: number) => `${((100 * t) / busy).toFixed(1).padStart(5)}%`;
  const top = (map: Map<string, number>, n: number) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, t]) => `  ${pct(t)}  ${name}`)
      .join('\n');
  return (
    `busy ${((busy * interval) / 1000).toFixed(0)} ms of ${((total * interval) / 1000).toFixed(0)} ms sampled (${busy} of ${total} samples)\n` +
    `self time by package:\n${top(perPackage, 15)}\nself time by function:\n${top(perFunction, count)}`
  );
}

if (require.main === module) {
  const [file, count] = process.argv.slice(2);
  console.log(topFrames(file, count ? Number(count) : undefined));
}
