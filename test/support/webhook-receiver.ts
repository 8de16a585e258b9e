import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly at: number;
}

/** What the receiver answers to one request: a status, or `hang` (never answers). */
export type Reply = number | 'hang';

/**
 * A real HTTP receiver on loopback that records every request. `replies` is consumed one per
 * request (then `fallback`), so "fail twice, then succeed" is `[500, 500]` with fallback 200.
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  private readonly waiters: (() => void)[] = [];
  private readonly server: Server;
  private readonly hanging = new Set<() => void>();
  private readonly seen = new Map<string, number>();
  /** When set, decides each answer from the webhook-id and how often it has arrived (1, 2, …). */
  respond: ((webhookId: string, seen: number) => Reply) | null = null;
  /** How long each answer takes (a slow receiver, so deliveries queue up). */
  delayMs = 0;

  constructor(
    private readonly replies: Reply[] = [],
    private readonly fallback: Reply = 204,
  ) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        this.received.push({
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
        });
        for (const wake of this.waiters.splice(0)) wake();
        const id = String(req.headers['webhook-id']);
        const seen = (this.seen.get(id) ?? 0) + 1;
        this.seen.set(id, seen);
        const reply = this.respond?.(id, seen) ?? this.replies.shift() ?? this.fallback;
        if (reply === 'hang') {
          const end = () => res.destroy();
          this.hanging.add(end);
          return;
        }
        res.statusCode = reply;
        if (this.delayMs > 0) setTimeout(() => res.end(), this.delayMs);
        else res.end();
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  /** The parsed bodies received so far. */
  events(): { id: string; type: string; task_id: string; version: number }[] {
    return this.received.map((each) => JSON.parse(each.body));
  }

  /** Resolves once `count` requests have arrived; fails after `timeoutMs`. */
  async waitFor(count: number, timeoutMs = 10_000): Promise<Received[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`the receiver got ${this.received.length} requests, not ${count}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.received;
  }

  async close(): Promise<void> {
    for (const end of this.hanging) end();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
