const fs = require('node:fs');
const path = require('node:path');

/** Two projects: fast unit tests beside the code, and e2e suites under test/. */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

/**
 * NestJS 12 and some of its dependencies ship ES modules only. Jest on Node 20 cannot require()
 * them, so every installed package whose package.json says "type": "module" is compiled to
 * CommonJS like our own code; the rest of node_modules is left alone.
 */
function esmOnlyPackages() {
  const root = path.join(__dirname, 'node_modules');
  const names = new Set();
  // Nested copies too (openapi-typescript/node_modules/parse-json is ESM where the top one is not).
  const visit = (dir, prefix, nested) => {
    for (const entry of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
      if (entry.startsWith('.')) continue;
      if (entry.startsWith('@') && !prefix) {
        visit(path.join(dir, entry), `${entry}/`, nested);
        continue;
      }
      try {
        const pkg = JSON.parse(fs.readFileSync(path.join(dir, entry, 'package.json'), 'utf8'));
        if (pkg.type === 'module') names.add(prefix + entry);
        if (!nested) visit(path.join(dir, entry, 'node_modules'), '', true);
      } catch {
        // not a package
      }
    }
  };
  visit(root, '', false);
  return [...names].map((name) => name.replace(/[.+]/g, '\\$&'));
}

const moduleNameMapper = {
  '^@taskflow/(platform|audit|identity|tasks|health|idempotency|rate-limit|client|webhooks)$':
    '<rootDir>/libs/$1/src',
  '^@taskflow/(platform|audit|identity|tasks|health|idempotency|rate-limit|client|webhooks)/(.*)$':
    '<rootDir>/libs/$1/src/$2',
  '^@taskflow/migrations$': '<rootDir>/migrations',
};

/** Suites under test/mongo/ need the Mongo driver; TEST_DRIVERS=memory leaves them out. */
const mongoSelected = (process.env.TEST_DRIVERS ?? 'memory,mongo')
  .split(',')
  .some((driver) => driver.trim() === 'mongo');

const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.(ts|js|mjs)$': swc },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnlyPackages().join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
};

module.exports = {
  // A global option (Jest ignores it inside a project): e2e suites boot apps and drive load.
  testTimeout: 30000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts', '<rootDir>/test/**/*.contract-spec.ts'],
      testPathIgnorePatterns: [
        '/node_modules/',
        ...(mongoSelected ? [] : ['<rootDir>/test/mongo/']),
      ],
      // One MongoDB-compatible server for the run; each test file takes its own database on it.
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
