import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Spec files and test fixtures: they may wire adapters, and use other libraries' fixtures. */
const TESTS = ['**/*.spec.ts', '**/testing/**'];

/** A relative path that leaves its library (`../../../audit/src/…`) or reaches into libs/. */
const RELATIVE_INTO_ANOTHER_LIB = {
  regex: '^\\.{1,2}/(\\.\\./)*([\\w-]+/)?(src|libs)(/|$)',
  message: 'Import another library through its index (@taskflow/<lib>), not by a relative path.',
};

/**
 * Libraries meet through their index, or the pure `@taskflow/<lib>/domain` entry; the Mongo
 * adapters also through the kernel's `@taskflow/platform/mongo`.
 */
const BETWEEN_LIBS = [
  {
    regex: '^@taskflow/(?!platform/mongo$)[a-z-]+/(?!domain$).+',
    message:
      'Import another library through its index (@taskflow/<lib>) or its pure domain (@taskflow/<lib>/domain).',
  },
  RELATIVE_INTO_ANOTHER_LIB,
];

/**
 * `@taskflow/platform/mongo` loads mongoose: only the Mongo adapters (and the migration CLI) use
 * it, and a module requires its Mongo adapters only for the Mongo driver (bench/README.md,
 * "Start-up"). Anywhere else it would load mongoose on the memory driver too.
 */
const MONGO_ENTRY = {
  group: ['@taskflow/platform/mongo'],
  message:
    'Only infrastructure/mongo/ imports @taskflow/platform/mongo (it loads mongoose; the memory driver must not).',
};
/** Where `@taskflow/platform/mongo` may be imported. */
const MONGO_ENTRY_USERS = ['libs/*/src/infrastructure/mongo/**/*.ts', 'apps/migrate/**/*.ts'];

/** Tests may also use the fixtures a library offers at `@taskflow/<lib>/testing`. */
const BETWEEN_LIBS_IN_TESTS = [
  {
    regex: '^@taskflow/[a-z-]+/(?!domain$|testing$).+',
    message:
      'Tests reach another library through @taskflow/<lib>, @taskflow/<lib>/domain or @taskflow/<lib>/testing.',
  },
  RELATIVE_INTO_ANOTHER_LIB,
];

/** `room` may not import from the `forbidden` room of its library (relative or by alias). */
const layer = (room, forbidden) => ({
  group: [`**/${forbidden}/**`, `**/${forbidden}`],
  message: `${room} must not depend on ${forbidden}/ (dependencies point inward: http → application → domain; infrastructure → ports → domain).`,
});

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'coverage/**',
      '.cache/**',
      'node_modules/**',
      'libs/client/src/generated/**',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'off',
    },
  },
  // Boundaries, by glob so that every library under libs/ is covered as it is added. One
  // `no-restricted-imports` per file (a later config replaces an earlier one's options), so each
  // room's config repeats the rule between libraries.
  {
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    ignores: [...TESTS],
    rules: { 'no-restricted-imports': ['error', { patterns: [...BETWEEN_LIBS, MONGO_ENTRY] }] },
  },
  {
    files: MONGO_ENTRY_USERS,
    ignores: [...TESTS],
    rules: { 'no-restricted-imports': ['error', { patterns: [...BETWEEN_LIBS] }] },
  },
  {
    files: TESTS.map((glob) => `libs/${glob}`),
    rules: { 'no-restricted-imports': ['error', { patterns: [...BETWEEN_LIBS_IN_TESTS] }] },
  },
  {
    files: ['libs/*/src/http/**/*.ts'],
    ignores: [...TESTS],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [...BETWEEN_LIBS, MONGO_ENTRY, layer('http/', 'infrastructure')] },
      ],
    },
  },
  {
    files: ['libs/*/src/application/**/*.ts'],
    ignores: [...TESTS],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...BETWEEN_LIBS,
            MONGO_ENTRY,
            layer('application/', 'infrastructure'),
            layer('application/', 'http'),
          ],
        },
      ],
    },
  },
  {
    // The domain is plain TypeScript: no framework, no persistence, no HTTP.
    files: ['libs/*/src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@nestjs/*'], message: 'domain/ must not depend on NestJS.' },
            { group: ['mongoose', 'mongodb'], message: 'domain/ must not depend on persistence.' },
            { group: ['**/http/**', '**/http'], message: 'domain/ must not depend on http/.' },
            { group: ['**/infrastructure/**'], message: 'domain/ must not depend on adapters.' },
            { group: ['**/application/**'], message: 'domain/ must not depend on application/.' },
            {
              regex: '^@taskflow/[a-z-]+(?!/domain$)(/.*)?$',
              message:
                'domain/ may use only the pure domain of other libraries (@taskflow/<lib>/domain).',
            },
            RELATIVE_INTO_ANOTHER_LIB,
          ],
        },
      ],
    },
  },
  {
    // The client is shipped to API consumers on its own: it knows the API by its OpenAPI types
    // only, never the server's code.
    files: ['libs/client/**/*.ts'],
    ignores: [...TESTS],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@taskflow/*', '@nestjs/*', 'mongoose', 'mongodb'],
              message: 'libs/client builds on its own: no server library or framework.',
            },
            RELATIVE_INTO_ANOTHER_LIB,
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
