import { stopTracing } from './tracing';
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { shutDownGracefully } from '@taskflow/health';
import { AppConfig, ConfigError, loadConfig } from '@taskflow/platform';
import { createApp } from './bootstrap';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const app = await createApp(config);
  closeOnSignals(app, config);
  await app.listen({ port: config.port, host: '0.0.0.0' });
}

/**
 * SIGTERM (or SIGINT): readiness 503 at once, in-flight requests finish within
 * SHUTDOWN_GRACE_SECONDS, then the server closes and the process exits 0. A second signal
 * exits at once.
 */
function closeOnSignals(app: NestFastifyApplication, config: AppConfig): void {
  const logger = new Logger('Shutdown');
  let closing = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (closing) {
      logger.warn(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    closing = true;
    logger.log(`${signal}: draining for up to ${config.shutdownGraceSeconds}s`);
    shutDownGracefully(app, config.shutdownGraceSeconds * 1000)
      .then(async (drained) => {
        logger.log(drained ? 'Drained; closed' : 'Grace period over; cut the rest; closed');
        await stopTracing();
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error(error instanceof Error ? error.stack : String(error));
        process.exit(1);
      });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

main().catch((error: unknown) => {
  // A bad configuration is the operator's to fix: say what, without a stack trace.
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
