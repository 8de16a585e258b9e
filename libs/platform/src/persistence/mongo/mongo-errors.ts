import { DomainError } from '../../domain/domain-error';

/** Duplicate key: the insert lost the race for a unique key. */
export function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 11000;
}

/** Client-side errors of the driver that mean "no server to talk to right now", by name. */
const UNREACHABLE = new Set([
  'MongoServerClosedError',
  'MongoClientClosedError',
  'MongoPoolClosedError',
  'MongoWaitQueueTimeoutError',
  'MongoOperationTimeoutError',
  'MongooseServerSelectionError',
]);

/** Server answers that mean it is going away or cannot take writes now (shutdown, step-down). */
const UNAVAILABLE_SERVER_CODES = new Set([91, 189, 10107, 11600, 11602, 13435, 13436]);

/**
 * Socket errors of Node itself. The driver does not wrap every one: a command written to a
 * socket the server has just closed rejects with Node's own `EPIPE` ("This socket has been ended
 * by the other party", seen from `Connection.writeCommand` in mongodb 7.8 when FerretDB is
 * killed). The database is the only peer a request talks to (mail leaves after the response),
 * so a socket error under a request is the database going away.
 */
const SOCKET_ERROR_CODES = new Set([
  'EPIPE',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ENOTCONN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** Driver errors that come from how it was called (a bug of ours), not from the server's state. */
const CALLER_ERRORS = new Set([
  'MongoInvalidArgumentError',
  'MongoParseError',
  'MongoCompatibilityError',
]);

/**
 * The database cannot be reached or stopped answering mid-operation: no server to select, a
 * connection cut, reset or timed out, a reply cut short, the pool cleared or closed, the server
 * or client closed, or the server shutting down. Every error the driver raises on its own side
 * (not a server's answer, not a wrong call) is one of these when the server dies under a
 * request, whatever class it takes, and so is a bare socket error of Node; Mongoose wraps a failed first selection in
 * `MongooseServerSelectionError`.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  // Not `instanceof Error`: Node's own errors come from the main realm, which differs from the
  // realm of code run in a vm context (as Jest runs the tests).
  if (typeof error !== 'object' || error === null) return false;
  const { name, code } = error as { name?: unknown; code?: unknown };
  const classes = driverClasses(error);
  // Its subclasses too (MongoBulkWriteError, MongoWriteConcernError): judged by the server's code.
  if (classes.has('MongoServerError')) return UNAVAILABLE_SERVER_CODES.has(Number(code));
  if (classes.has('MongoError')) return !(typeof name === 'string' && CALLER_ERRORS.has(name));
  return (
    (typeof name === 'string' && UNREACHABLE.has(name)) ||
    (typeof code === 'string' && SOCKET_ERROR_CODES.has(code))
  );
}

/**
 * The names of the classes `error` is an instance of, by its prototype chain: what `instanceof
 * mongo.MongoServerError` / `mongo.MongoError` would answer, without importing the driver (the
 * problem filter runs on both drivers, and the memory driver never loads mongoose or mongodb).
 * The driver is loaded from node_modules unminified, so its class names are its own.
 */
function driverClasses(error: object): Set<string> {
  const names = new Set<string>();
  for (let proto = Object.getPrototypeOf(error); proto; proto = Object.getPrototypeOf(proto)) {
    const constructor = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value;
    if (typeof constructor === 'function') names.add(constructor.name);
  }
  return names;
}

/** The request could not be served because the database is unreachable: 503, retry shortly. */
export class DatabaseUnavailable extends DomainError {
  readonly retryAfterSeconds = 2;

  constructor() {
    super('SERVICE.UNAVAILABLE', 'The database is unavailable; try again shortly');
  }
}
