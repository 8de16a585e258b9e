import { Injectable } from '@nestjs/common';

/** Named instants that background work keeps between runs (e.g. how far a sweep has checked). */
export abstract class Checkpoints {
  abstract get(name: string): Promise<Date | null>;
  abstract set(name: string, at: Date): Promise<void>;
}

@Injectable()
export class MemoryCheckpoints extends Checkpoints {
  private readonly values = new Map<string, Date>();

  async get(name: string): Promise<Date | null> {
    return this.values.get(name) ?? null;
  }

  async set(name: string, at: Date): Promise<void> {
    this.values.set(name, at);
  }
}
