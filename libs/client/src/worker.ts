import { etagOf, newIdempotencyKey, type TaskflowClient } from './client';
import type { components } from './generated/openapi';
import { problemSlug, type Problem } from './problem';
import { Retrier, sleep } from './retry';

export type Task = components['schemas']['TaskDto'];
type ClaimFilters = Pick<components['schemas']['ClaimNextDto'], 'open_to' | 'priority'>;

/** Why a handler's signal fired: the task is no longer the worker's to finish. */
export type AbandonReason = 'lease-lost' | 'cancelled' | 'shutdown';

export class TaskAbandoned extends Error {
  constructor(readonly reason: AbandonReason) {
    super(`task abandoned: ${reason}`);
    this.name = 'TaskAbandoned';
  }
}

export interface HandlerContext {
  /** Fires (with a TaskAbandoned reason) when the lease is lost, the task cancelled, or on shutdown. */
  readonly signal: AbortSignal;
}

export interface HandlerResult {
  /** Sent with the submission; it becomes the submission record's body. */
  readonly comment?: string;
}

export type WorkerEvent =
  | { readonly kind: 'claimed' | 'submitted'; readonly task: Task }
  | { readonly kind: 'abandoned'; readonly task: Task; readonly reason: AbandonReason }
  | { readonly kind: 'lost'; readonly task: Task; readonly status: number }
  | { readonly kind: 'failed'; readonly task: Task; readonly error: unknown }
  | { readonly kind: 'backoff'; readonly seconds: number; readonly status?: number };

export interface WorkerOptions {
  readonly client: TaskflowClient;
  /** Which tasks to claim (`open_to`, `priority`); none: any the caller may claim. */
  readonly filters?: ClaimFilters;
  /** The lease each claim takes (30 s at least); heartbeats renew it every third of it. */
  readonly leaseSeconds: number;
  /** How long one claim long-polls for a task (0–30 s, default 30). */
  readonly waitSeconds?: number;
  /** Does the work of one started task; resolves to submit it, throws to give it back. */
  readonly handle: (task: Task, context: HandlerContext) => Promise<HandlerResult | void>;
  /**
   * Aborting it stops the worker: the claim under way ends (within `waitSeconds`), and the task
   * in hand, or one that claim brought, is given back.
   */
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: WorkerEvent) => void;
}

export interface WorkerSummary {
  readonly submitted: number;
  readonly abandoned: number;
  readonly lost: number;
  readonly failed: number;
}

/**
 * Claims with long-poll, starts, heartbeats at a third of the lease, hands the task to `handle`
 * and submits its result fenced by `If-Match` with an `Idempotency-Key`. A 429 waits
 * `Retry-After`; a 5xx or a network failure backs off (with jitter) and tries the same request
 * again. Resolves once `signal` has fired, after giving back the task in hand.
 */
export async function runWorker(options: WorkerOptions): Promise<WorkerSummary> {
  const { client, signal } = options;
  const summary = { submitted: 0, abandoned: 0, lost: 0, failed: 0 };
  const emit = (event: WorkerEvent) => options.onEvent?.(event);
  const retrier = new Retrier((seconds, status) => emit({ kind: 'backoff', seconds, status }));

  const claimNext = () => {
    // A retry after a lost answer replays the task the first attempt claimed.
    const key = newIdempotencyKey();
    return retrier.send(
      () =>
        client.POST('/tasks/claim', {
          body: {
            ...options.filters,
            lease_seconds: options.leaseSeconds,
            wait: options.waitSeconds ?? 30,
          },
          params: { header: { 'Idempotency-Key': key } },
          // Not cut by the stop signal: the server would still claim for a client that hung up,
          // and the task would sit leased to nobody until the lease ran out.
        }),
      signal,
    );
  };

  while (!signal?.aborted) {
    const claimed = await claimNext();
    if (!claimed?.data) continue; // 204: nothing arrived within the wait
    const task = claimed.data;
    emit({ kind: 'claimed', task });
    if (signal?.aborted) {
      await giveBack(task);
      break;
    }
    await work(task);
  }
  return summary;

  /** Stopped while a claim was on its way: the task goes back to the queue at once. */
  async function giveBack(task: Task): Promise<void> {
    const key = newIdempotencyKey();
    await retrier.send(
      () =>
        client.POST('/tasks/{id}/release', {
          params: {
            path: { id: task.id },
            header: { 'If-Match': etagOf(task.version), 'Idempotency-Key': key },
          },
        }),
      AbortSignal.timeout(5000),
    );
    summary.abandoned++;
    emit({ kind: 'abandoned', task, reason: 'shutdown' });
  }

  async function work(claimedTask: Task): Promise<void> {
    const id = claimedTask.id;
    const abandon = new AbortController();
    const shutdown = () => abandon.abort(new TaskAbandoned('shutdown'));
    signal?.addEventListener('abort', shutdown, { once: true });
    let task = claimedTask;
    let version = task.version;
    // By the worker's own clock (the server's may differ): a lease runs `leaseSeconds` from the
    // claim's answer, then from each heartbeat's sending.
    const leaseMs = options.leaseSeconds * 1000;
    let leaseEndsAt = Date.now() + leaseMs;

    /** start, submit or release, fenced on the version the worker last wrote. */
    const act = (
      action: 'start' | 'submit' | 'release',
      stop: AbortSignal | undefined,
      comment?: string,
    ) => {
      const key = newIdempotencyKey();
      return retrier.send(
        () =>
          client.POST(`/tasks/{id}/${action}`, {
            params: {
              path: { id },
              header: { 'If-Match': etagOf(version), 'Idempotency-Key': key },
            },
            body: comment === undefined ? undefined : { comment },
          }),
        stop,
      );
    };

    const heartbeats = (async () => {
      const everyMs = leaseMs / 3;
      while (!abandon.signal.aborted) {
        await sleep(Math.min(everyMs, Math.max(0, leaseEndsAt - Date.now())), abandon.signal);
        if (abandon.signal.aborted) return;
        if (Date.now() >= leaseEndsAt) return abandon.abort(new TaskAbandoned('lease-lost'));
        const sentAt = Date.now();
        const beat = await retrier.send(
          () =>
            client.POST('/tasks/{id}/heartbeat', {
              params: { path: { id } },
              body: { lease_seconds: options.leaseSeconds },
            }),
          // A heartbeat that cannot get through is given up when the lease runs out.
          AbortSignal.any([
            abandon.signal,
            AbortSignal.timeout(Math.max(0, leaseEndsAt - Date.now())),
          ]),
        );
        if (abandon.signal.aborted) return;
        if (beat?.data) {
          leaseEndsAt = sentAt + leaseMs;
        } else if (beat) {
          // A refusal (409 lease-lost, 404): the task is not the worker's now. Was it cancelled?
          const current = await client
            .GET('/tasks/{id}', { params: { path: { id } } })
            .catch(() => undefined);
          const cancelled = current?.data?.status === 'cancelled';
          return abandon.abort(new TaskAbandoned(cancelled ? 'cancelled' : 'lease-lost'));
        }
      }
    })();

    try {
      const started = await act('start', abandon.signal);
      if (!started?.data) {
        if (started) {
          summary.lost++;
          emit({ kind: 'lost', task, status: started.response.status });
        }
        return;
      }
      task = started.data;
      version = task.version;

      const settled = options.handle(task, { signal: abandon.signal }).then(
        (result) => ({ result }),
        (error: unknown) => ({ error }),
      );
      const abandoned = new Promise<undefined>((resolve) =>
        abandon.signal.addEventListener('abort', () => resolve(undefined), { once: true }),
      );
      const outcome = abandon.signal.aborted ? undefined : await Promise.race([settled, abandoned]);

      if (outcome === undefined) {
        const reason = (abandon.signal.reason as TaskAbandoned).reason;
        // On shutdown the task goes back to the queue at once rather than when its lease runs out.
        if (reason === 'shutdown') await act('release', AbortSignal.timeout(5000));
        summary.abandoned++;
        emit({ kind: 'abandoned', task, reason });
        return;
      }
      if ('error' in outcome) {
        await act('release', AbortSignal.timeout(5000), undefined);
        summary.failed++;
        emit({ kind: 'failed', task, error: outcome.error });
        return;
      }
      const submitted = await act('submit', abandon.signal, outcome.result?.comment);
      if (submitted?.data) {
        summary.submitted++;
        emit({ kind: 'submitted', task: submitted.data });
      } else if (submitted) {
        summary.lost++;
        emit({ kind: 'lost', task, status: submitted.response.status });
      } else {
        summary.abandoned++;
        emit({ kind: 'abandoned', task, reason: (abandon.signal.reason as TaskAbandoned).reason });
      }
    } finally {
      signal?.removeEventListener('abort', shutdown);
      if (!abandon.signal.aborted) abandon.abort(new TaskAbandoned('shutdown'));
      await heartbeats;
    }
  }
}

/** True when `error` (an openapi-fetch `error`) is the problem of the given slug. */
export const isProblem = (error: unknown, slug: string): error is Problem =>
  problemSlug(error) === slug;
