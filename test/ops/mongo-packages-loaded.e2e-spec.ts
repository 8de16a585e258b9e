import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MAIN_JS, startBuiltApp, TSC_MAIN_JS } from '../support/built-app';
import { freshDatabaseUri, migrateUp } from '../support/mongo';
import { TEST_DRIVERS } from '../support/test-app';

/**
 * Preloaded into the API (NODE_OPTIONS=--require): writes a line to stderr for every `require()`
 * of mongoose, mongodb or @nestjs/mongoose. The bundle leaves mongoose and mongodb outside
 * (scripts/bundle.mjs), so both builds require them from node_modules; @nestjs/mongoose is inside
 * the bundle, and requires mongoose when it is evaluated.
 */
const PRELOAD = `
const Module = require('node:module');
const load = Module._load;
Module._load = function (request, ...rest) {
  if (/^(mongoose|mongodb|@nestjs\\/mongoose)(\\/|$)/.test(request)) {
    process.stderr.write('required: ' + request + '\\n');
  }
  return load.call(this, request, ...rest);
};
`;

/** The Mongo packages the process required, each once. */
const required = (output: string): string[] =>
  [...new Set([...output.matchAll(/^required: (.+)$/gm)].map(([, request]) => request))].sort();

/** Serves a write, a read and a refusal (the problem filter): more than start-up alone. */
async function exercise(url: string): Promise<void> {
  expect((await fetch(`${url}/readyz`)).status).toBe(200);
  const headers = { 'content-type': 'application/json', 'x-user-id': 'u_alice' };
  const created = await fetch(`${url}/tasks`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ title: 'no mongoose here' }),
  });
  expect(created.status).toBe(201);
  expect((await fetch(`${url}/tasks`, { headers })).status).toBe(200);
  const refused = await fetch(`${url}/tasks`, { method: 'POST', headers, body: '{"title": 7}' });
  expect(refused.status).toBe(400);
}

// The memory driver never uses mongoose or the mongodb driver: loading them was a fifth of the
// bundle's start-up (bench/README.md, "Start-up"). Each module requires its Mongo adapters only
// for the Mongo driver (bindDriver).
describe('the Mongo packages are loaded only by the Mongo driver', () => {
  let dir: string;
  let preload: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskflow-preload-'));
    preload = path.join(dir, 'report-mongo-requires.cjs');
    fs.writeFileSync(preload, PRELOAD);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['the bundle', MAIN_JS],
    ["tsc's output", TSC_MAIN_JS],
  ])(
    'memory driver, %s: none of mongoose, mongodb, @nestjs/mongoose',
    async (_, main) => {
      const app = await startBuiltApp(
        { TASK_REPOSITORY_DRIVER: 'memory', NODE_OPTIONS: `--require ${preload}` },
        main,
      );
      try {
        await exercise(app.url);
        expect(required(app.output())).toEqual([]);
      } finally {
        app.kill();
        await app.exited;
      }
    },
    // The first start may build dist/ first (ensureBuilt).
    120_000,
  );

  // The preload's counter-check: it does see them where they are loaded.
  for (const driver of TEST_DRIVERS.filter((name) => name === 'mongo')) {
    it(`${driver} driver, the bundle: mongoose and mongodb`, async () => {
      const uri = freshDatabaseUri('loaded');
      await migrateUp(uri);
      const app = await startBuiltApp({
        TASK_REPOSITORY_DRIVER: driver,
        MONGODB_URI: uri,
        NODE_OPTIONS: `--require ${preload}`,
      });
      try {
        await exercise(app.url);
        expect(required(app.output())).toEqual(expect.arrayContaining(['mongodb', 'mongoose']));
      } finally {
        app.kill();
        await app.exited;
      }
    }, 120_000);
  }
});
