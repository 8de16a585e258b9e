import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { Clock } from '@taskflow/platform';
import { TaskRepository } from '../ports/task.repository';
import { TaskService } from './task.service';

/** How often each instance looks for run-out leases; 0 turns the sweeper off (unit tests). */
export const LEASE_SWEEP_MS = Symbol('LEASE_SWEEP_MS');
/** Well inside DESIGN §8's 5 s: an expiry is applied within this plus one sweep's work. */
export const DEFAULT_LEASE_SWEEP_MS = 1000;
const SWEEP_BATCH = 100;

/**
 * Applies run-out leases as `lease_expired` by the system. Every instance runs one; when two
 * find the same lease, the unique audit key lets one apply it and the other moves on.
 */
@Injectable()
export class LeaseSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('LeaseSweeper');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;

  constructor(
    private readonly tasks: TaskRepository,
    private readonly service: TaskService,
    private readonly clock: Clock,
    @Inject(LEASE_SWEEP_MS) private readonly intervalMs: number,
  ) {}

  onApplicationBootstrap(): void {
    if (this.intervalMs <= 0) return;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One pass; returns how many expiries this instance applied. */
  async sweep(): Promise<number> {
    let applied = 0;
    const expired = await this.tasks.findLeasesExpiredBy(this.clock.now(), SWEEP_BATCH);
    for (const task of expired) {
      if (await this.service.expireLease(task)) applied += 1;
    }
    return applied;
  }

  private async tick(): Promise<void> {
    if (this.running !== null) return;
    this.running = this.sweep();
    try {
      await this.running;
    } catch (error) {
      this.logger.warn(`Lease sweep failed: ${(error as Error).message}`);
    } finally {
      this.running = null;
    }
  }
}
