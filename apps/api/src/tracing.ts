/**
 * Imported first by main.ts: OpenTelemetry has to patch `http` and the frameworks before they
 * are loaded. Tracing runs only when OTEL_EXPORTER_OTLP_ENDPOINT is set; otherwise the SDK is
 * not even loaded.
 */
import { existsSync } from 'node:fs';

// Read here rather than in main.ts, so OTEL_* settings in .env count too.
if (existsSync('.env')) process.loadEnvFile('.env');

/** Flushes and stops the exporter; a no-op when tracing is off. */
export const stopTracing: () => Promise<void> = process.env.OTEL_EXPORTER_OTLP_ENDPOINT
  ? startSdk()
  : () => Promise.resolve();

function startSdk(): () => Promise<void> {
  // A synchronous, conditional load: an import would load the SDK in every process.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startTracing } = require('./tracing-sdk') as typeof import('./tracing-sdk');
  return startTracing();
}
