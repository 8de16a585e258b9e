import { Injectable } from '@nestjs/common';
import { AppConfig, Clock } from '@taskflow/platform';
import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';
import { IdempotencyInFlight, IdempotencyKeyReused } from '../domain/idempotency.errors';
import { IdempotencyStore, StoredResponse } from '../ports/idempotency.store';

/** How long a first request may run before its claim counts as abandoned. */
export const IN_FLIGHT_LEASE_MS = 60_000;

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** A request that may carry a key: who sent it, where, and with what body. */
export interface KeyedRequest {
  readonly accountId: string;
  readonly method: string;
  readonly path: string;
  readonly key: string;
  readonly body: unknown;
}

/** The first request with its key: it runs, and its outcome is kept under `scope` until `expiresAt`. */
export interface FirstRequest {
  readonly first: true;
  readonly scope: string;
  readonly expiresAt: Date;
}

export type ClaimOutcome =
  FirstRequest | { readonly first: false; readonly replay: StoredResponse };

/**
 * Idempotency-Key's bookkeeping: the first request's outcome is stored per
 * (account, method, path, key) in the same unit of work as its effect, and replayed on repeats.
 */
@Injectable()
export class IdempotentRequests {
  constructor(
    private readonly store: IdempotencyStore,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  /** Claims the key, or answers with the stored outcome; a different body or a running first request is refused. */
  async claim(request: KeyedRequest): Promise<ClaimOutcome> {
    const now = this.clock.now();
    const scope = sha256([request.accountId, request.method, request.path, request.key].join('\n'));
    const fingerprint = sha256(canonicalize(request.body ?? null) ?? '');
    const expiresAt = new Date(now.getTime() + this.config.idempotencyTtlSeconds * 1000);
    const claim = await this.store.claim(
      {
        scope,
        fingerprint,
        response: null,
        lockedUntil: new Date(now.getTime() + IN_FLIGHT_LEASE_MS),
        expiresAt,
      },
      now,
    );
    if (claim.claimed) return { first: true, scope, expiresAt };
    if (claim.existing.fingerprint !== fingerprint) throw new IdempotencyKeyReused();
    if (claim.existing.response === null) throw new IdempotencyInFlight();
    return { first: false, replay: claim.existing.response };
  }

  /** Stores the outcome; inside the request's unit of work, so it commits with the effect. */
  complete(request: FirstRequest, response: StoredResponse): Promise<void> {
    return this.store.complete(request.scope, response, request.expiresAt);
  }

  /** Frees the key of a request that failed in a way a retry could fix. */
  release(request: FirstRequest): Promise<void> {
    return this.store.release(request.scope);
  }
}
