import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * The API as operators run it: `node dist/bundle/main.js` (the bundle `npm run build` makes of
 * dist/apps/api) in a child process. Tracing and signal
 * handling live in main.ts and have to load before everything else, which an in-process Jest
 * app cannot reproduce.
 */
const ROOT = path.resolve(__dirname, '../..');
export const MAIN_JS = path.join(ROOT, 'dist/bundle/main.js');
const START_TIMEOUT_MS = 30_000;

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) {
      newest = Math.max(newest, fs.statSync(full).mtimeMs);
    }
  }
  return newest;
}

/** Builds dist/ when it is missing or older than a source file (CI builds first, so never there). */
export function ensureBuilt(): void {
  const lock = path.join(ROOT, '.cache', 'build.lock');
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  // Test files run in parallel workers: one builds while the others wait.
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`${lock} is held; remove it if no build runs`);
      execFileSync('sleep', ['0.5']);
    }
  }
  try {
    const sources = Math.max(
      newestSource(path.join(ROOT, 'apps')),
      newestSource(path.join(ROOT, 'libs')),
    );
    const built = fs.existsSync(MAIN_JS) ? fs.statSync(MAIN_JS).mtimeMs : 0;
    if (built < sources) {
      execFileSync('npx', ['nest', 'build', 'api'], { cwd: ROOT, stdio: 'pipe' });
      execFileSync('node', ['scripts/bundle.mjs'], { cwd: ROOT, stdio: 'pipe' });
    }
  } finally {
    fs.rmdirSync(lock);
  }
}

/** A free loopback port: bind port 0, read it, release it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface BuiltApp {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** stdout lines that parse as JSON (the log lines). */
  logLines(): Record<string, unknown>[];
  /** Resolves with the exit code and signal once the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL if still running (for afterAll). */
  kill(): void;
}

/** Starts the built API on a free loopback port; resolves once /livez answers. */
export async function startBuiltApp(env: Record<string, string>): Promise<BuiltApp> {
  ensureBuilt();
  const port = await freePort();
  // A temporary working directory, so a developer's .env does not leak into the test.
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'taskflow-app-'));
  const child = spawn(process.execPath, [MAIN_JS], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      DEV_MODE: 'true',
      BCRYPT_COST: '4',
      RATE_LIMIT_GLOBAL: 'off',
      RATE_LIMIT_AUTH: 'off',
      LOG_LEVEL: 'info',
      PORT: String(port),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      fs.rmSync(cwd, { recursive: true, force: true });
      resolve({ code, signal });
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const app: BuiltApp = {
    url,
    child,
    exited,
    output: () => out,
    logLines: () =>
      out
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`the app exited during start-up (code ${child.exitCode}):\n${out}`);
    }
    try {
      if ((await fetch(`${url}/livez`)).ok) return app;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      app.kill();
      throw new Error(`the app did not answer /livez within ${START_TIMEOUT_MS} ms:\n${out}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
