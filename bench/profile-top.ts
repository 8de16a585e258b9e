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

const where = (url: string): string => {
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1];
  const ours = /\/(libs\/[^/]+|apps\/[^/]+)\//.exec(url);
  if (ours) return ours[1];
  return url.startsWith('node:') ? 'node internals' : url === '' ? '(native / gc / idle)' : url;
};

export function topFrames(file: string, count = 25): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + profile.timeDeltas[i]));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const idle = [...self].filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)');
  const busy = total - idle.reduce((a, [, t]) => a + t, 0);

  const perFunction = new Map<string, number>();
  const perPackage = new Map<string, number>();
  for (const [id, time] of self) {
    const frame = (byId.get(id) as ProfileNode).callFrame;
    if (frame.functionName === '(idle)') continue;
    const name = `${frame.functionName || '(anonymous)'} ${where(frame.url)}:${frame.lineNumber + 1}`;
    perFunction.set(name, (perFunction.get(name) ?? 0) + time);
    perPackage.set(where(frame.url), (perPackage.get(where(frame.url)) ?? 0) + time);
  }
  const pct = (t: number) => `${((100 * t) / busy).toFixed(1).padStart(5)}%`;
  const top = (map: Map<string, number>, n: number) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, t]) => `  ${pct(t)}  ${name}`)
      .join('\n');
  return (
    `busy ${(busy / 1000).toFixed(0)} ms of ${(total / 1000).toFixed(0)} ms sampled\n` +
    `self time by package:\n${top(perPackage, 15)}\nself time by function:\n${top(perFunction, count)}`
  );
}

if (require.main === module) {
  const [file, count] = process.argv.slice(2);
  console.log(topFrames(file, count ? Number(count) : undefined));
}
