/** What openapi-fetch answers. */
export interface Answer<T> {
  readonly data?: T;
  readonly error?: unknown;
  readonly response: Response;
}

const MAX_BACKOFF_SECONDS = 30;

/** Resolves after `ms`, or at once when `signal` fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

const retryAfterSeconds = (response: Response): number => {
  const seconds = Number(response.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : 1;
};

/**
 * The helpers' one retry policy: a 429 waits its `Retry-After`; a 5xx or a network failure backs
 * off with full jitter (0.25 s doubling to 30 s) and tries again; any other answer is final and
 * resets the backoff.
 */
export class Retrier {
  private failures = 0;

  constructor(private readonly onBackoff?: (seconds: number, status?: number) => void) {}

  /** Sends until the answer is final; undefined when `stop` fired first. */
  async send<T>(
    request: () => Promise<Answer<T>>,
    stop: AbortSignal | undefined,
  ): Promise<Answer<T> | undefined> {
    while (!stop?.aborted) {
      let answer: Answer<T> | undefined;
      try {
        answer = await request();
      } catch {
        // A network failure (or the stop signal cutting a long-poll): try again after a pause.
        if (stop?.aborted) return undefined;
      }
      if (answer && answer.response.status < 500 && answer.response.status !== 429) {
        this.failures = 0;
        return answer;
      }
      await this.pause(answer?.response, stop);
    }
    return undefined;
  }

  /** Waits as the policy says after `response` (a 429 or a 5xx), or after a network failure. */
  async pause(response: Response | undefined, stop: AbortSignal | undefined): Promise<void> {
    const seconds =
      response?.status === 429
        ? retryAfterSeconds(response)
        : Math.random() * Math.min(MAX_BACKOFF_SECONDS, 0.25 * 2 ** this.failures++);
    this.onBackoff?.(seconds, response?.status);
    await sleep(seconds * 1000, stop);
  }
}
