/**
 * A failure the domain can name. `code` is stable and transport-free (`TASK.NOT_FOUND`); the
 * HTTP layer maps it to a status and a problem type.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A write lost a race against another write of the same aggregate. */
export class ConcurrencyConflict extends DomainError {
  constructor(aggregate: string, id: string) {
    super(
      'STORAGE.CONCURRENT_UPDATE',
      `${aggregate} ${id} was changed by another request; reload it and try again`,
    );
  }
}
