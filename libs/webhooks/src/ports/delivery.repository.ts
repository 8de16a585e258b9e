import type { Page, PageRequest } from '@taskflow/platform/domain';
import type { CursorStep, Delivery, DeliveryAttempt, Replay } from '../domain/delivery';

/**
 * Deliveries, their attempts and the endpoints' cursors. Every race is decided by a unique key
 * (DESIGN §2): a delivery by its id, an attempt by `<delivery>:<attempt>`, a cursor move by
 * `<endpoint>:<step>`; a later write to a claimed document is made by its claimer alone.
 */
export abstract class DeliveryRepository {
  /** Inserts the deliveries not yet stored; those already there are left as they are. */
  abstract addDeliveries(deliveries: readonly Delivery[]): Promise<void>;
  abstract findDelivery(id: string): Promise<Delivery | null>;
  /** Writes each delivery's attempt, status and due time (one write for them all on Mongo). */
  abstract saveDeliveries(deliveries: readonly Delivery[]): Promise<void>;
  /** Pending deliveries due by `now`, oldest due first, of endpoints not in `exclude`. */
  abstract findDue(now: Date, exclude: readonly string[], limit: number): Promise<Delivery[]>;
  abstract countPending(): Promise<number>;
  /** The endpoint's deliveries, attempts, cursor, replays and their cursors. */
  abstract deleteForEndpoint(endpointId: string): Promise<void>;

  /**
   * The claims to send these attempts, each decided by its unique id alone (one insert for them
   * all on Mongo): the ids this call won; the others were taken already.
   */
  abstract claimAttempts(attempts: readonly DeliveryAttempt[]): Promise<Set<string>>;
  abstract findAttempt(id: string): Promise<DeliveryAttempt | null>;
  /** Writes the outcomes of claimed attempts (one write for them all on Mongo). */
  abstract saveAttempts(attempts: readonly DeliveryAttempt[]): Promise<void>;
  /** Newest first; the cursor is opaque to callers. */
  abstract listAttempts(endpointId: string, page: PageRequest): Promise<Page<DeliveryAttempt>>;

  abstract latestStep(endpointId: string): Promise<CursorStep | null>;
  /** The claim of one cursor move: false when another instance made step `n` first. */
  abstract claimStep(step: CursorStep): Promise<boolean>;

  abstract addReplay(replay: Replay): Promise<void>;
  /** Replays whose cursor has not reached their end, of every endpoint. */
  abstract unfinishedReplays(): Promise<Replay[]>;
  abstract finishReplay(id: string, at: Date): Promise<void>;
}
