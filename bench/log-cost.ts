/**
 * What logging costs per request, in-process, without HTTP: one request line (as
 * RequestLogController writes it at LOG_LEVEL=info) and one request child logger (which Fastify
 * builds for every request, whatever the level): the same pino settings with no redaction, with
 * the app's REDACTED_PATHS, and with the deep wildcard paths it used before (docs/DECISIONS.md);
 * then the app's own root logger from dist/. Lines go to a no-op destination.
 *
 *   npm run bench -- logging
 */
import * as path from 'node:path';
import type { Logger } from 'pino';
import type * as Platform from '../libs/platform/src';
import { median } from './stats';

const DIST = path.resolve(__dirname, '../dist/apps/api');
/**
 * The paths before the change, from the app's own lists: its header paths, and every secret
 * field (its top-level paths) under wildcards up to four levels deep.
 */
function earlierPaths(redacted: readonly string[]): string[] {
  const headers = redacted.filter((path) => path.includes('.headers'));
  const fields = redacted.filter((path) => !path.includes('.'));
  return [
    ...headers,
    ...fields.flatMap((field) =>
      Array.from({ length: 5 }, (_, depth) => '*.'.repeat(depth) + field),
    ),
  ];
}

/** A request as requestSummary reads it: what a GET /tasks/:id with a bearer token carries. */
const request = {
  method: 'GET',
  url: '/tasks/t_01jz0000000000000000000000',
  ip: '127.0.0.1',
  headers: {
    host: '127.0.0.1:8080',
    authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1X2JvYiJ9.c2lnbmF0dXJl',
    'user-agent': 'autocannon',
    accept: 'application/json',
  },
};

function nsPerOp(operation: (i: number) => void, count: number): number {
  const samples: number[] = [];
  for (let round = 0; round < 7; round++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < count; i++) operation(i);
    samples.push(Number(process.hrtime.bigint() - started) / count);
  }
  return median(samples.slice(2)); // the first rounds warm the JIT up
}

export interface LogCost {
  variant: string;
  lineNs: number;
  childNs: number;
}

export async function logCost(): Promise<LogCost[]> {
  const platform = (await import(`${DIST}/libs/platform/src/index.js`)) as typeof Platform;
  const config = platform.loadConfig({ DEV_MODE: 'true', LOG_LEVEL: 'info' });
  const noop = { write: () => undefined };
  const ours = platform.createRootLogger(config, noop);
  // createRootLogger's options, written out here so that only the redaction varies (no mixin).
  const { pino } = await import('pino');
  const settings = (redact?: string[]) =>
    pino(
      {
        level: 'info',
        ...(redact ? { redact: { paths: redact } } : {}),
        timestamp: pino.stdTimeFunctions.isoTime,
        serializers: { req: platform.requestSummary as (req: unknown) => unknown },
        formatters: { level: (label: string) => ({ level: label }) },
      },
      noop,
    );
  const variants: [string, Logger][] = [
    ['no redaction (baseline)', settings()],
    ['REDACTED_PATHS', settings([...platform.REDACTED_PATHS])],
    ['the earlier paths (wildcards 4 deep)', settings(earlierPaths(platform.REDACTED_PATHS))],
    ['createRootLogger as the app runs it (+ trace-id mixin)', ours],
  ];
  return variants.map(([variant, logger]) => ({
    variant,
    lineNs: nsPerOp(
      (i) =>
        logger.info(
          { req: request, route: '/tasks/:id', account_id: 'u_bob', status: 200, duration_ms: i },
          'request completed',
        ),
      20_000,
    ),
    // Fastify passes its (empty) route logger options, which takes pino's slower child path.
    childNs: nsPerOp((i) => logger.child({ request_id: `r-${i}` }, {}), 50_000),
  }));
}
