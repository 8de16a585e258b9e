import { notes } from '../harness';
import { logCost } from '../log-cost';

/** Per-request logging cost, in-process (bench/log-cost.ts); ratios to pino without redaction. */
export async function logging(): Promise<void> {
  const costs = await logCost();
  const base = costs[0];
  notes.logCost = costs.map((c) => ({
    ...c,
    lineOverBase: c.lineNs / base.lineNs,
    childOverBase: c.childNs / base.childNs,
  }));
  for (const c of costs)
    console.log(
      `  ${c.variant}: request line ${(c.lineNs / 1000).toFixed(1)} µs ` +
        `(${(c.lineNs / base.lineNs).toFixed(1)}×), child logger ${(c.childNs / 1000).toFixed(1)} µs ` +
        `(${(c.childNs / base.childNs).toFixed(1)}×)`,
    );
}
