import { runInNewContext } from 'node:vm';
import { mongo } from 'mongoose';
import { toProblem } from '../../errors/problem';
import { DatabaseUnavailable, isDatabaseUnavailable } from './mongo-errors';

describe('isDatabaseUnavailable', () => {
  it('recognises the driver errors of an unreachable server', () => {
    // The driver does not export TopologyDescription; the error only keeps it as its reason.
    const description = { type: 'Unknown', servers: new Map() } as never;
    expect(isDatabaseUnavailable(new mongo.MongoNetworkError('connection reset'))).toBe(true);
    expect(isDatabaseUnavailable(new mongo.MongoNetworkTimeoutError('timed out'))).toBe(true);
    expect(
      isDatabaseUnavailable(new mongo.MongoServerSelectionError('no server', description)),
    ).toBe(true);
    expect(isDatabaseUnavailable(new mongo.MongoNotConnectedError('closed'))).toBe(true);
    expect(isDatabaseUnavailable(new mongo.MongoTopologyClosedError())).toBe(true);
    expect(isDatabaseUnavailable(new mongo.MongoServerClosedError())).toBe(true);
    expect(isDatabaseUnavailable(new mongo.MongoRuntimeError('reply cut short'))).toBe(true);
    expect(
      isDatabaseUnavailable(new mongo.MongoServerError({ code: 11600, errmsg: 'shutdown' })),
    ).toBe(true);
  });

  it("judges the server's subclasses of MongoServerError by the server's code, not by their name", () => {
    const shutdown = { message: 'interrupted at shutdown', code: 11600 };
    expect(isDatabaseUnavailable(new mongo.MongoBulkWriteError(shutdown, {} as never))).toBe(true);
    const duplicate = { message: 'E11000 duplicate key', code: 11000 };
    expect(isDatabaseUnavailable(new mongo.MongoBulkWriteError(duplicate, {} as never))).toBe(
      false,
    );
    const stepDown = { writeConcernError: { code: 91, errmsg: 'shutting down' }, ok: 1 };
    expect(isDatabaseUnavailable(new mongo.MongoWriteConcernError(stepDown))).toBe(true);
    const timeout = { writeConcernError: { code: 64, errmsg: 'waiting for replication' }, ok: 1 };
    expect(isDatabaseUnavailable(new mongo.MongoWriteConcernError(timeout))).toBe(false);
    // The class decides, not a look-alike's name.
    const impostor = Object.assign(new Error('x'), { name: 'MongoNetworkError' });
    expect(isDatabaseUnavailable(impostor)).toBe(false);
  });

  it('recognises a socket error of Node that the driver let through unwrapped', () => {
    // What Connection.writeCommand rejects with when the server closed the socket first.
    const epipe = Object.assign(new Error('This socket has been ended by the other party'), {
      code: 'EPIPE',
    });
    expect(isDatabaseUnavailable(epipe)).toBe(true);
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    expect(isDatabaseUnavailable(reset)).toBe(true);
    // Node's errors can come from another realm than the code's own (Jest runs tests in a vm).
    const foreign = runInNewContext('Object.assign(new Error("ended"), { code: "EPIPE" })');
    expect(foreign instanceof Error).toBe(false);
    expect(isDatabaseUnavailable(foreign)).toBe(true);
    const missing = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
    expect(isDatabaseUnavailable(missing)).toBe(false);
  });

  it('leaves server answers and bugs alone', () => {
    expect(isDatabaseUnavailable(new mongo.MongoServerError({ code: 11000, errmsg: 'dup' }))).toBe(
      false,
    );
    expect(isDatabaseUnavailable(new TypeError('bug'))).toBe(false);
    expect(isDatabaseUnavailable(new mongo.MongoInvalidArgumentError('bad call'))).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
  });

  it('answers 503 unavailable without naming the database server', () => {
    const problem = toProblem(new DatabaseUnavailable(), { url: '/tasks', requestId: 'r1' });
    expect(problem).toMatchObject({
      type: 'https://taskflow.dev/problems/unavailable',
      status: 503,
      detail: 'The database is unavailable; try again shortly',
    });
  });
});
