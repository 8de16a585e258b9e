/** A response as it was first sent, to be replayed byte for byte on a repeat. */
export interface StoredResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

export interface IdempotencyRecord {
  /** SHA-256 of (account, method, path, key): the key's scope, and the record's unique id. */
  readonly scope: string;
  /** SHA-256 of the canonical request body. */
  readonly fingerprint: string;
  /** null while the first request is still running. */
  readonly response: StoredResponse | null;
  /** An in-flight claim older than this was abandoned (its process died) and may be taken over. */
  readonly lockedUntil: Date;
  readonly expiresAt: Date;
}

export type ClaimResult =
  { readonly claimed: true } | { readonly claimed: false; readonly existing: IdempotencyRecord };

/**
 * Idempotency keys. A key is claimed by inserting its record under a unique id, so of any number
 * of concurrent first requests exactly one runs (DESIGN §2).
 */
export abstract class IdempotencyStore {
  /** Inserts an in-flight record, or returns the live record that holds the scope. */
  abstract claim(record: IdempotencyRecord, now: Date): Promise<ClaimResult>;
  /** Stores the outcome; joins the running unit of work, so it commits with the effect. */
  abstract complete(scope: string, response: StoredResponse, expiresAt: Date): Promise<void>;
  /** Drops an in-flight claim whose request failed in a way a retry could fix. */
  abstract release(scope: string): Promise<void>;
}
