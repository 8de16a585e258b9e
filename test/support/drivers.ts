/** Set by the Jest global setup: the server every test file shares (one database per file). */
export const MONGO_URI_VARIABLE = 'TASKFLOW_TEST_MONGODB_URI';

export type DriverName = 'memory' | 'mongo';

const KNOWN: readonly string[] = ['memory', 'mongo'];

/** TEST_DRIVERS (default `memory,mongo`): the drivers the e2e and contract suites run on. */
export function testDrivers(value = process.env.TEST_DRIVERS): DriverName[] {
  const drivers = (value ?? 'memory,mongo')
    .split(',')
    .map((driver) => driver.trim())
    .filter((driver) => driver !== '');
  const unknown = drivers.filter((driver) => !KNOWN.includes(driver));
  if (unknown.length > 0 || drivers.length === 0) {
    throw new Error(`TEST_DRIVERS must list memory and/or mongo, not ${JSON.stringify(value)}`);
  }
  return drivers as DriverName[];
}
