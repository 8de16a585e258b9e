/**
 * A MongoDB-wire-compatible server for the test suites and the benchmarks. See docs/MONGODB.md.
 *
 * startMongoServer() picks, in this order:
 *   (a) MONGODB_URI, when set: an external server that this module does not own;
 *   (b) `mongod` (+ `mongosh` to run rs.initiate) on PATH: a throw-away single-node replica set;
 *   (c) FerretDB 1.24.2 with its SQLite backend, built by scripts/ferretdb-build.sh into
 *       .cache/ferretdb/bin/ferretdb (the build runs here when the binary is missing).
 * When none of them can be had it throws; it never skips silently.
 *
 * Only Node built-ins are used, so this file works before any dependency is installed.
 */
import { ChildProcess, execFile, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

export interface MongoServer {
  /** Connection string, including the database name (except for `external`: MONGODB_URI as given). */
  uri: string;
  kind: 'external' | 'mongod' | 'ferretdb';
  /**
   * true for the `mongod` replica set; false for FerretDB (it has no transactions) and for
   * `external` (unknown here: the application detects it from `hello` at start-up).
   */
  supportsTransactions: boolean;
  /** SIGTERM, then SIGKILL after 5 s; removes the temporary data directory. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL (a crash, for crash tests) and wait for the process to exit. The data dir is kept. */
  kill(): Promise<void>;
  /** Start again with the same binary, arguments, port and data dir; resolves when ready. */
  restart(): Promise<void>;
}

export interface StartMongoServerOptions {
  /** Database name put in the URI (default `taskflow_test`). Ignored for MONGODB_URI. */
  dbName?: string;
}

const DEFAULT_DB_NAME = 'taskflow_test';
const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;
const OUTPUT_TAIL_BYTES = 16 * 1024;
const FERRETDB_VERSION = 'v1.24.2';

export async function startMongoServer(opts: StartMongoServerOptions = {}): Promise<MongoServer> {
  const dbName = opts.dbName ?? DEFAULT_DB_NAME;

  // (a) An external server.
  const external = process.env.MONGODB_URI;
  if (external !== undefined && external.trim() !== '') {
    return externalServer(external.trim());
  }

  // (b) mongod as a single-node replica set (needs mongosh for rs.initiate).
  const mongod = findOnPath('mongod');
  const mongosh = findOnPath('mongosh');
  if (mongod !== undefined && mongosh !== undefined) {
    return startMongod(mongod, mongosh, dbName);
  }

  // (c) FerretDB.
  return startFerretDb(dbName);
}

// ---------------------------------------------------------------------------------------------
// (a) external

function externalServer(uri: string): MongoServer {
  const notOwned = (what: string): Promise<void> =>
    Promise.reject(
      new Error(
        `${what}() is not possible for the external server given by MONGODB_URI; ` +
          `skip crash/fault tests when server.kind === 'external'`,
      ),
    );
  return {
    uri,
    kind: 'external',
    supportsTransactions: false,
    // Not ours to stop: a no-op.
    stop: () => Promise.resolve(),
    // Meaningless for a server we did not start: reject, so a crash test cannot pass without a crash.
    kill: () => notOwned('kill'),
    restart: () => notOwned('restart'),
  };
}

// ---------------------------------------------------------------------------------------------
// (b) mongod

async function startMongod(mongod: string, mongosh: string, dbName: string): Promise<MongoServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskflow-mongod-'));
  const port = await freePort();
  const args = [
    '--replSet',
    'rs0',
    '--dbpath',
    dataDir,
    '--bind_ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--quiet',
  ];
  const proc = new ManagedProcess('mongod', mongod, args, port, dataDir);
  const host = `127.0.0.1:${port}`;
  const waitPrimary = async (): Promise<void> => {
    // rs.initiate fails harmlessly once the set is initiated (e.g. after restart()).
    const script =
      `try { rs.initiate({ _id: 'rs0', members: [{ _id: 0, host: '${host}' }] }) } catch (e) {}\n` +
      `let ok = false;\n` +
      `for (let i = 0; i < 300 && !ok; i++) { ok = db.hello().isWritablePrimary === true; if (!ok) sleep(100); }\n` +
      `if (!ok) { print('not primary after 30 s'); quit(1) }`;
    await run(mongosh, ['--quiet', '--host', host, '--eval', script], READY_TIMEOUT_MS + 10_000);
  };
  try {
    await proc.start();
    await waitPrimary();
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return proc.asServer(`mongodb://${host}/${dbName}?replicaSet=rs0`, 'mongod', true, waitPrimary);
}

// ---------------------------------------------------------------------------------------------
// (c) FerretDB

function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'scripts', 'ferretdb-build.sh'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

function noServerError(detail: string): Error {
  return new Error(
    `No MongoDB-compatible server for the tests: ${detail}\n` +
      'Get one in any of these ways:\n' +
      '  - set MONGODB_URI to a running MongoDB (a replica set, for transactions);\n' +
      '  - put `mongod` and `mongosh` on PATH (a single-node replica set is started);\n' +
      '  - install Go (https://go.dev/dl/) so FerretDB can be built: scripts/ferretdb-build.sh\n' +
      'See docs/MONGODB.md.',
  );
}

async function ensureFerretDbBinary(root: string): Promise<string> {
  const bin = path.join(root, '.cache', 'ferretdb', 'bin', 'ferretdb');
  if (isExecutable(bin)) return bin;

  const script = path.join(root, 'scripts', 'ferretdb-build.sh');
  if (!fs.existsSync(script)) {
    throw noServerError(`${bin} is missing and ${script} was not found.`);
  }
  if (findOnPath('go') === undefined) {
    throw noServerError(`${bin} is missing and \`go\` is not on PATH to build it.`);
  }
  process.stderr.write(
    `[mongo-server] ${bin} is missing; building FerretDB ${FERRETDB_VERSION} (minutes)...\n`,
  );
  const output = new Tail(OUTPUT_TAIL_BYTES);
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn('bash', [script], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const onData = (chunk: Buffer): void => {
      output.push(chunk);
      process.stderr.write(chunk);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('error', reject);
    child.on('close', (c) => resolve(c));
  });
  if (code !== 0 || !isExecutable(bin)) {
    throw noServerError(`building FerretDB failed (exit ${String(code)}):\n${output.text()}`);
  }
  return bin;
}

/**
 * FerretDB's command line: the SQLite backend in `dataDir`, listening on 127.0.0.1:`port`. The one
 * copy, also used by scripts/ferretdb-smoke.mjs.
 */
export function ferretDbArgs(dataDir: string, port: number): string[] {
  return [
    '--handler=sqlite',
    `--sqlite-url=file:${dataDir}/`,
    `--state-dir=${dataDir}`,
    `--listen-addr=127.0.0.1:${port}`,
    '--debug-addr=127.0.0.1:0',
    '--telemetry=disable',
    '--log-level=warn',
  ];
}

async function startFerretDb(dbName: string): Promise<MongoServer> {
  const bin = await ensureFerretDbBinary(repoRoot());
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskflow-ferretdb-'));
  const port = await freePort();
  const proc = new ManagedProcess('ferretdb', bin, ferretDbArgs(dataDir, port), port, dataDir);
  try {
    await proc.start();
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return proc.asServer(`mongodb://127.0.0.1:${port}/${dbName}`, 'ferretdb', false);
}

// ---------------------------------------------------------------------------------------------
// Process management

/** Every process started here, killed when the Node process exits without stop(). */
const live = new Set<ManagedProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const p of live) p.killSync();
  });
}

class ManagedProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private readonly output = new Tail(OUTPUT_TAIL_BYTES);
  private removed = false;

  private readonly name: string;
  private readonly bin: string;
  private readonly args: readonly string[];
  private readonly port: number;
  private readonly dataDir: string;

  // Plain fields, not parameter properties: Node's type stripping (scripts/ferretdb-smoke.mjs
  // imports this file) cannot erase those.
  constructor(name: string, bin: string, args: readonly string[], port: number, dataDir: string) {
    this.name = name;
    this.bin = bin;
    this.args = args;
    this.port = port;
    this.dataDir = dataDir;
  }

  private get running(): boolean {
    return (
      this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
    );
  }

  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.name} is already running on port ${this.port}`);
    if (this.removed) throw new Error(`${this.name} was stopped; its data dir is gone`);
    installExitHook();
    live.add(this);
    const child = spawn(this.bin, [...this.args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let spawnErr: Error | undefined;
    child.once('error', (e) => (spawnErr = e));
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', () => resolve());
    });
    const onData = (chunk: Buffer): void => this.output.push(chunk);
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    // Do not hold the event loop open for a server the tests forgot to stop; the exit hook kills it.
    child.unref();
    (child.stdout as net.Socket | null)?.unref();
    (child.stderr as net.Socket | null)?.unref();

    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (spawnErr !== undefined) {
        throw new Error(`${this.name}: cannot start ${this.bin}: ${spawnErr.message}`);
      }
      if (!this.running) {
        await this.exited;
        throw new Error(
          `${this.name} exited during start-up (code ${String(child.exitCode)}, signal ${String(child.signalCode)}).\n` +
            `command: ${this.commandLine()}\noutput:\n${this.output.text()}`,
        );
      }
      if ((await answersPing(this.port)) && this.running) return;
      if (Date.now() > deadline) {
        throw new Error(
          `${this.name} did not answer on 127.0.0.1:${this.port} within ${READY_TIMEOUT_MS / 1000} s.\n` +
            `command: ${this.commandLine()}\noutput:\n${this.output.text()}`,
        );
      }
      await sleep(100);
    }
  }

  /** SIGKILL and wait for the exit. */
  async kill(): Promise<void> {
    if (this.running) this.child?.kill('SIGKILL');
    await withTimeout(this.exited, STOP_GRACE_MS, `${this.name} did not exit after SIGKILL`);
  }

  /** SIGTERM, then SIGKILL after 5 s. */
  async terminate(): Promise<void> {
    if (!this.running) return;
    this.child?.kill('SIGTERM');
    try {
      await withTimeout(this.exited, STOP_GRACE_MS, 'SIGTERM grace period over');
    } catch {
      await this.kill();
    }
  }

  async stop(): Promise<void> {
    await this.terminate();
    live.delete(this);
    this.removeDataDir();
  }

  killSync(): void {
    if (this.running) this.child?.kill('SIGKILL');
    this.removeDataDir();
  }

  private removeDataDir(): void {
    if (this.removed) return;
    this.removed = true;
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }

  private commandLine(): string {
    return [this.bin, ...this.args].join(' ');
  }

  asServer(
    uri: string,
    kind: 'mongod' | 'ferretdb',
    supportsTransactions: boolean,
    afterStart?: () => Promise<void>,
  ): MongoServer {
    const restart = async (): Promise<void> => {
      await this.terminate();
      await this.start();
      if (afterStart !== undefined) await afterStart();
    };
    return {
      uri,
      kind,
      supportsTransactions,
      stop: () => this.stop(),
      kill: () => this.kill(),
      restart,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** Keeps the last `max` bytes written to it. */
class Tail {
  private chunks: Buffer[] = [];
  private size = 0;
  private readonly max: number;
  constructor(max: number) {
    this.max = max;
  }
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.max && this.chunks.length > 1) {
      const first = this.chunks.shift();
      this.size -= first === undefined ? 0 : first.length;
    }
  }
  text(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.max)).toString('utf8');
  }
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** A free loopback port: bind port 0, read it, release it. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not read the port of a listening socket'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

/** BSON for `{ ping: 1, $db: 'admin' }`. */
function pingDocument(): Buffer {
  const int32 = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeInt32LE(n);
    return b;
  };
  const body = Buffer.concat([
    Buffer.from([0x10]),
    Buffer.from('ping\0'),
    int32(1),
    Buffer.from([0x02]),
    Buffer.from('$db\0'),
    int32(6),
    Buffer.from('admin\0'),
    Buffer.from([0x00]),
  ]);
  return Buffer.concat([int32(4 + body.length), body]);
}

let nextRequestId = 1;

/**
 * Ready means: the port accepts a TCP connection and answers an OP_MSG `ping` with an OP_MSG
 * reply to that request (a bare TCP accept could come from another process that took the port).
 */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const requestId = nextRequestId++;
    const doc = pingDocument();
    const header = Buffer.alloc(16);
    header.writeInt32LE(16 + 4 + 1 + doc.length, 0);
    header.writeInt32LE(requestId, 4);
    header.writeInt32LE(0, 8);
    header.writeInt32LE(2013, 12); // OP_MSG
    const message = Buffer.concat([
      header,
      Buffer.alloc(4) /* flagBits */,
      Buffer.from([0]) /* kind 0 */,
      doc,
    ]);

    let received = Buffer.alloc(0);
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2_000, () => done(false));
    socket.once('connect', () => socket.write(message));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 16) return;
      const length = received.readInt32LE(0);
      if (received.length < length) return;
      done(received.readInt32LE(8) === requestId && received.readInt32LE(12) === 2013);
    });
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function withTimeout(p: Promise<void>, ms: number, message: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    await Promise.race([p, timeout]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

function run(file: string, args: readonly string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, [...args], { timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err !== null) {
        reject(new Error(`${path.basename(file)} failed: ${err.message}\n${stdout}${stderr}`));
        return;
      }
      resolve(stdout);
    });
  });
}
