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
/** tsc's output, which the bundle is made of (and `npm run start:dev` runs). */
export const TSC_MAIN_JS = path.join(ROOT, 'dist/apps/api/apps/api/src/main.js');
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

/** Fastify's start-up line (info level), which names the port the process bound. */
const LISTENING = /"msg":"Server listening at http:\/\/127\.0\.0\.1:(\d+)"/;

/**
 * Starts the built API on a loopback port it picks itself (PORT=0); resolves once /livez answers.
 * The port is read from the process's own start-up line: a port chosen here and handed over
 * could be taken by another process in between (other test runs start apps too), and then a
 * /livez answered by that process would pass for this one's.
 */
export async function startBuiltApp(
  env: Record<string, string>,
  main = MAIN_JS,
): Promise<BuiltApp> {
  ensureBuilt();
  if (env.PORT !== undefined || (env.LOG_LEVEL ?? 'info').match(/^(warn|error|fatal|silent)$/)) {
    throw new Error(
      'startBuiltApp picks the port from the info-level start-up line: leave PORT and LOG_LEVEL',
    );
  }
  // A temporary working directory, so a developer's .env does not leak into the test.
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'taskflow-app-'));
  const child = spawn(process.execPath, [main], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      DEV_MODE: 'true',
      BCRYPT_COST: '4',
      RATE_LIMIT_GLOBAL: 'off',
      RATE_LIMIT_AUTH: 'off',
      LOG_LEVEL: 'info',
      ...env,
      PORT: '0',
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
  let url = '';
  const app: BuiltApp = {
    get url() {
      return url;
    },
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
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `the app exited during start-up (${child.exitCode ?? child.signalCode}):\n${out}`,
      );
    }
    const port = LISTENING.exec(out)?.[1];
    if (port !== undefined) {
      url = `http://127.0.0.1:${port}`;
      try {
        if ((await fetch(`${url}/livez`)).ok) return app;
      } catch {
        // not answering yet
      }
    }
    if (Date.now() > deadline) {
      app.kill();
      throw new Error(`the app did not answer /livez within ${START_TIMEOUT_MS} ms:\n${out}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
