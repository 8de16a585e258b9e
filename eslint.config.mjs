import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'coverage/**', '.cache/**', 'node_modules/**'] },
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
