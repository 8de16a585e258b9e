/**
 * Runs a use case's writes as one unit: all of them take effect or none does. Repositories
 * join the unit that is running when they are called.
 */
export abstract class UnitOfWork {
  abstract run<T>(work: () => Promise<T>): Promise<T>;
}
