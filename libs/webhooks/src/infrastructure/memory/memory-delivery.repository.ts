import { Injectable } from '@nestjs/common';
import { Page, PageRequest, pageOf } from '@taskflow/platform';
import {
  CursorStep,
  Delivery,
  DeliveryAttempt,
  Replay,
  replayStreamOf,
} from '../../domain/delivery';
import { DeliveryRepository } from '../../ports/delivery.repository';

/** Newest first by time, ties by id: a string key that sorts that way ascending. */
const attemptKey = (attempt: DeliveryAttempt): string =>
  `${(9e15 - attempt.at.getTime()).toString().padStart(16, '0')}|${attempt.id}`;

@Injectable()
export class MemoryDeliveryRepository extends DeliveryRepository {
  private readonly deliveries = new Map<string, Delivery>();
  private readonly attempts = new Map<string, DeliveryAttempt>();
  private readonly steps = new Map<string, CursorStep>();
  private readonly replays = new Map<string, Replay>();

  async addDeliveries(deliveries: readonly Delivery[]): Promise<void> {
    for (const delivery of deliveries) {
      if (!this.deliveries.has(delivery.id)) this.deliveries.set(delivery.id, delivery);
    }
  }

  async findDelivery(id: string): Promise<Delivery | null> {
    return this.deliveries.get(id) ?? null;
  }

  async saveDeliveries(deliveries: readonly Delivery[]): Promise<void> {
    for (const delivery of deliveries) {
      if (this.deliveries.has(delivery.id)) this.deliveries.set(delivery.id, delivery);
    }
  }

  async findDue(now: Date, exclude: readonly string[], limit: number): Promise<Delivery[]> {
    const skip = new Set(exclude);
    return [...this.deliveries.values()]
      .filter(
        (delivery) =>
          delivery.status === 'pending' &&
          delivery.dueAt.getTime() <= now.getTime() &&
          !skip.has(delivery.endpointId),
      )
      .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || (a.id < b.id ? -1 : 1))
      .slice(0, limit);
  }

  async countPending(): Promise<number> {
    let pending = 0;
    for (const delivery of this.deliveries.values()) if (delivery.status === 'pending') pending++;
    return pending;
  }

  async deleteForEndpoint(endpointId: string): Promise<void> {
    for (const [id, delivery] of this.deliveries) {
      if (delivery.endpointId === endpointId) this.deliveries.delete(id);
    }
    for (const [id, attempt] of this.attempts) {
      if (attempt.endpointId === endpointId) this.attempts.delete(id);
    }
    for (const [id, replay] of this.replays) {
      if (replay.endpointId !== endpointId) continue;
      this.steps.delete(replayStreamOf(endpointId, id));
      this.replays.delete(id);
    }
    this.steps.delete(endpointId);
  }

  async claimAttempts(attempts: readonly DeliveryAttempt[]): Promise<Set<string>> {
    const won = new Set<string>();
    for (const attempt of attempts) {
      if (this.attempts.has(attempt.id)) continue;
      this.attempts.set(attempt.id, attempt);
      won.add(attempt.id);
    }
    return won;
  }

  async findAttempt(id: string): Promise<DeliveryAttempt | null> {
    return this.attempts.get(id) ?? null;
  }

  async saveAttempts(attempts: readonly DeliveryAttempt[]): Promise<void> {
    for (const attempt of attempts) this.attempts.set(attempt.id, attempt);
  }

  async listAttempts(endpointId: string, page: PageRequest): Promise<Page<DeliveryAttempt>> {
    const mine = [...this.attempts.values()]
      .filter((attempt) => attempt.endpointId === endpointId)
      .sort((a, b) => (attemptKey(a) < attemptKey(b) ? -1 : 1));
    return pageOf(mine, attemptKey, page, (cursor) => cursor);
  }

  async latestStep(endpointId: string): Promise<CursorStep | null> {
    return this.steps.get(endpointId) ?? null;
  }

  async claimStep(step: CursorStep): Promise<boolean> {
    const latest = this.steps.get(step.endpointId);
    if (latest !== undefined && latest.n >= step.n) return false;
    this.steps.set(step.endpointId, step);
    return true;
  }

  async addReplay(replay: Replay): Promise<void> {
    this.replays.set(replay.id, replay);
  }

  async unfinishedReplays(): Promise<Replay[]> {
    return [...this.replays.values()].filter((replay) => replay.finishedAt === null);
  }

  async finishReplay(id: string, at: Date): Promise<void> {
    const replay = this.replays.get(id);
    if (replay && replay.finishedAt === null) this.replays.set(id, { ...replay, finishedAt: at });
  }
}
