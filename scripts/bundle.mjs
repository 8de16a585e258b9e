// Bundles the built API (dist/apps/api, tsc's output with its decorator metadata) into one
// CommonJS file, dist/bundle/main.js, which is what production starts: start-up is mostly module
// loading, and one file skips resolving, reading and compiling some 2 000 of them
// (bench/README.md, "Start-up"). Run by `npm run build`.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';

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

await build({
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
});
