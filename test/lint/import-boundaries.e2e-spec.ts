import { ESLint, type Linter } from 'eslint';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
// The project's own config, as `eslint .` runs it (loaded here: ESLint cannot import() it in Jest).
const config = jest.requireActual<{ default: Linter.Config[] }>('../../eslint.config.mjs').default;

/** The restricted-import messages ESLint gives `code` as if it were the file at `path`. */
async function refusals(path: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: ROOT, overrideConfigFile: true, overrideConfig: config });
  const [result] = await eslint.lintText(code, { filePath: resolve(ROOT, path) });
  return result.messages
    .filter((message) => message.ruleId === 'no-restricted-imports')
    .map((message) => message.message);
}

describe('import boundaries (eslint.config.mjs)', () => {
  it.each([
    [
      'libs/identity/src/http/x.guard.ts',
      "import { A } from '../infrastructure/jwt/a';",
      /http\/ must not depend on infrastructure/,
    ],
    [
      'libs/tasks/src/application/x.service.ts',
      "import { A } from '../infrastructure/memory/a';",
      /application\/ must not depend on infrastructure/,
    ],
    [
      'libs/tasks/src/application/x.service.ts',
      "import { A } from '../http/a.dto';",
      /application\/ must not depend on http/,
    ],
    [
      'libs/rate-limit/src/http/x.guard.ts',
      "import { A } from '../infrastructure/mongo/a';",
      /http\/ must not depend on infrastructure/,
    ],
    [
      'libs/tasks/src/application/x.service.ts',
      "import { A } from '@taskflow/audit/infrastructure/memory/a';",
      /through its index/,
    ],
    [
      'libs/idempotency/src/x.ts',
      "import { A } from '@taskflow/platform/persistence/mongo/a';",
      /through its index/,
    ],
    [
      'libs/tasks/src/http/x.ts',
      "import { A } from '../../../audit/src/domain';",
      /not by a relative path/,
    ],
    ['apps/api/src/x.ts', "import { A } from '../../../libs/tasks/src';", /not by a relative path/],
    [
      'libs/tasks/src/tasks.module.ts',
      "import { A } from '@taskflow/platform/mongo';",
      /Only infrastructure\/mongo\/ imports @taskflow\/platform\/mongo/,
    ],
    [
      'libs/tasks/src/application/x.service.ts',
      "import { A } from '@taskflow/platform/mongo';",
      /Only infrastructure\/mongo\/ imports @taskflow\/platform\/mongo/,
    ],
    ['libs/tasks/src/domain/x.ts', "import { A } from '@taskflow/platform';", /pure domain/],
    ['libs/client/src/x.ts', "import { A } from '@taskflow/platform';", /builds on its own/],
    ['libs/client/src/x.ts', "import { Injectable } from '@nestjs/common';", /builds on its own/],
    [
      'libs/tasks/src/application/x.spec.ts',
      "import { A } from '@taskflow/audit/infrastructure/memory/a';",
      /Tests reach another library/,
    ],
  ])('refuses in %s: %s', async (path, code, refusal) => {
    expect(await refusals(path, code)).toEqual(
      expect.arrayContaining([expect.stringMatching(refusal)]),
    );
  });

  it.each([
    [
      'libs/identity/src/http/x.guard.ts',
      "import { A } from '../application/a';  import { B } from '../ports/b';",
    ],
    [
      'libs/tasks/src/application/x.service.ts',
      "import { A } from '@taskflow/audit';  import { B } from '../domain/b';",
    ],
    [
      'libs/tasks/src/infrastructure/mongo/x.ts',
      "import { A } from '@taskflow/platform';  import { B } from '../../ports/b';",
    ],
    [
      'libs/tasks/src/infrastructure/mongo/x.ts',
      "import { A } from '@taskflow/platform/mongo';  import { B } from '@taskflow/platform';",
    ],
    ['apps/migrate/src/x.ts', "import { A } from '@taskflow/platform/mongo';"],
    ['libs/tasks/src/domain/x.ts', "import { A } from '@taskflow/platform/domain';"],
    [
      'libs/tasks/src/tasks.module.ts',
      "import { A } from './infrastructure/memory/a';  import { B } from './http/b';",
    ],
    [
      'libs/tasks/src/application/x.spec.ts',
      "import { A } from '@taskflow/audit/testing';  import { B } from '../infrastructure/memory/b';",
    ],
    ['test/contract/x.contract-spec.ts', "import { A } from '@taskflow/identity/ports/a';"],
  ])('allows in %s: %s', async (path, code) => {
    expect(await refusals(path, code)).toEqual([]);
  });
});
