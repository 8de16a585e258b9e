export interface OutgoingDelivery {
  readonly url: URL;
  /** The address checked by the SSRF guard: the request connects here and nowhere else. */
  readonly address: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly timeoutMs: number;
}

export interface SendResult {
  /** The receiver's status code; null when no answer came (timeout, refused connection). */
  readonly status: number | null;
  readonly error: string | null;
  readonly durationMs: number;
}

/** One POST to a receiver: no redirects followed, cut off at the timeout. */
export abstract class WebhookSender {
  abstract send(delivery: OutgoingDelivery): Promise<SendResult>;
}
