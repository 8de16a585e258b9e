import type { AddressInfo } from 'node:net';

/**
 * The plumbing every bench child server shares: tell the parent (bench/harness.ts) the port it
 * listens on, close on SIGTERM, and exit non-zero when start-up fails.
 */
export function announceListening(
  server: { address(): string | AddressInfo | null },
  close: () => Promise<unknown>,
): void {
  const address = server.address();
  process.send?.({
    type: 'listening',
    port: typeof address === 'object' && address ? address.port : 0,
  });
  process.on('SIGTERM', () => {
    void close().finally(() => process.exit(0));
  });
}

export function runChild(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
