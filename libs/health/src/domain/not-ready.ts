import { DomainError } from '@taskflow/platform/domain';

/** Readiness failed; `checks` carries every check's result, so the operator sees which one. */
export class NotReady extends DomainError {
  constructor(failing: readonly string[], checks: Readonly<Record<string, unknown>>) {
    super('HEALTH.NOT_READY', `Not ready: ${failing.join(', ')}`, { checks });
  }
}
