// Bundles the built API (dist/apps/api, tsc's output with its decorator metadata) into one
// CommonJS file, dist/bundle/main.js, which is what production starts: start-up is mostly module
// loading, and one file skips resolving, reading and compiling some 2 000 of them
// (bench/README.md, "Start-up"). Run by `npm run build`.
import { parse } from 'acorn';
import { build } from 'esbuild';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Left outside the bundle, loaded from node_modules at run time:
 * - native or file-serving packages (bcrypt's .node binary, swagger-ui-dist's static files,
 *   pino's worker-thread transports);
 * - what OpenTelemetry instruments by patching `require()` (mongoose, mongodb) and the tracing
 *   SDK itself, loaded only when tracing is on (a package that imports @nestjs/* cannot be left
 *   out: it would load a second copy of Nest, whose classes the bundled one does not know);
 * - optional peers Nest and its packages `require()` inside a try, which are not installed.
 */
const external = [
  'bcrypt',
  'swagger-ui-dist',
  'pino',
  'pino-pretty',
  'thread-stream',
  'mongoose',
  'mongodb',
  '@opentelemetry/*',
  '@fastify/otel',
  '@nestjs/microservices',
  '@nestjs/microservices/*',
  '@nestjs/websockets',
  '@nestjs/websockets/*',
  '@nestjs/platform-express',
  '@nestjs/platform-socket.io',
  'class-transformer/storage',
  '@fastify/view',
  '@fastify/multipart',
];

/**
 * @nestjs/mongoose (ESM) does `import * as mongoose from 'mongoose'` and calls
 * `mongoose.createConnection()`. Natively the namespace is not a Mongoose, so mongoose falls back
 * to its default instance; esbuild's interop copy of an external CommonJS module keeps the
 * Mongoose prototype, so mongoose takes it for itself and fails writing a getter-only property.
 * Importing the default export instead gives it the Mongoose instance, as Node does.
 */
const mongooseDefaultImport = {
  name: 'mongoose-default-import',
  setup(build) {
    build.onLoad({ filter: /node_modules[\\/]@nestjs[\\/]mongoose[\\/].*\.js$/ }, async (args) => ({
      contents: (await readFile(args.path, 'utf8')).replace(
        /import \* as mongoose from 'mongoose';/g,
        "import mongoose from 'mongoose';",
      ),
      loader: 'js',
    }));
  },
};

/**
 * keepNames wraps every function and class esbuild sees in `__name(fn, "name")`, which is
 * `Object.defineProperty(fn, 'name', …)`: run again each time a closure is created, so on every
 * request for the closures Nest and Fastify make per request (`switchToHttp()`'s three getters,
 * Fastify's hook runner, …): a CPU profile of GET /tasks/:id on the bundle had 7% of its time
 * in it, and the bundle served 16% fewer requests than tsc's output (bench/README.md). Most of
 * those calls name a function what JavaScript names it anyway: `key: __name(() => …, "key")`,
 * `const f = __name(() => …, "f")`, `__name(function f() {}, "f")`. Those wrappers are removed
 * (the function keeps the same name, natively); the calls left (classes and functions esbuild
 * renamed to avoid a collision, and declarations named by a statement) skip the write when the
 * name is already right. So every `.name` is what keepNames gives, without its per-call cost.
 */
function withoutRedundantNames(code) {
  const helper =
    'var __name = (target, value) => __defProp(target, "name", { value, configurable: true });';
  if (!code.includes(helper)) throw new Error("bundle.mjs: esbuild's __name helper has changed");
  const ast = parse(code, { ecmaVersion: 'latest', sourceType: 'script', allowHashBang: true });
  const cuts = [];
  const nativeName = (fn, parent) => {
    if (fn.id) return fn.type === 'ArrowFunctionExpression' ? null : fn.id.name;
    const key = (k) =>
      k.type === 'Identifier' ? k.name : k.type === 'Literal' ? String(k.value) : null;
    switch (parent?.type) {
      case 'Property':
        return !parent.computed && parent.kind === 'init' && !parent.method
          ? key(parent.key)
          : null;
      case 'PropertyDefinition':
        return !parent.computed ? key(parent.key) : null;
      case 'VariableDeclarator':
      case 'AssignmentPattern':
        return (parent.id ?? parent.left).type === 'Identifier'
          ? (parent.id ?? parent.left).name
          : null;
      case 'AssignmentExpression':
        return parent.operator === '=' && parent.left.type === 'Identifier'
          ? parent.left.name
          : null;
      default:
        return null;
    }
  };
  const functions = new Set(['ArrowFunctionExpression', 'FunctionExpression', 'ClassExpression']);
  const visit = (node, parent) => {
    if (
      node.type === 'CallExpression' &&
      node.callee.type === 'Identifier' &&
      node.callee.name === '__name' &&
      node.arguments.length === 2 &&
      functions.has(node.arguments[0].type) &&
      node.arguments[1].type === 'Literal' &&
      nativeName(node.arguments[0], parent) === node.arguments[1].value
    ) {
      const [fn] = node.arguments;
      cuts.push([node.start, fn.start], [fn.end, node.end]);
    }
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) {
        for (const child of value) if (child && typeof child.type === 'string') visit(child, node);
      } else if (value && typeof value.type === 'string') visit(value, node);
    }
  };
  visit(ast, null);
  cuts.sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  for (const [start, end] of cuts) {
    out += code.slice(at, start);
    at = end;
  }
  out += code.slice(at);
  return {
    removed: cuts.length / 2,
    code: out.replace(
      helper,
      'var __name = (target, value) => target.name === value ? target : __defProp(target, "name", { value, configurable: true });',
    ),
  };
}

const result = await build({
  entryPoints: ['dist/apps/api/apps/api/src/main.js'],
  outfile: 'dist/bundle/main.js',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external,
  // Nest names providers, loggers and Mongoose models after classes: keep every `.name`.
  keepNames: true,
  // ESM-only packages read import.meta.url (and @nestjs/terminus import.meta.resolve, to see
  // whether an optional package is installed); in one CommonJS file they answer for this file.
  banner: {
    js: [
      "const __import_meta_url = require('url').pathToFileURL(__filename).href;",
      "const __import_meta_resolve = (specifier) => require('url').pathToFileURL(require.resolve(specifier)).href;",
    ].join('\n'),
  },
  define: {
    'import.meta.url': '__import_meta_url',
    'import.meta.resolve': '__import_meta_resolve',
  },
  plugins: [mongooseDefaultImport],
  logLevel: 'warning',
  write: false,
});
const [output] = result.outputFiles;
const { code } = withoutRedundantNames(output.text);
// esbuild writes nothing itself (write: false): on a fresh clone dist/bundle/ does not exist yet.
await mkdir(dirname(output.path), { recursive: true });
await writeFile(output.path, code);
