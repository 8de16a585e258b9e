import { resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(__dirname, '../..');
const CASES = resolve(__dirname, 'client-typing.cases.ts');
/** The same cases with their directives blanked out: a file that exists only in this program. */
const BARE = resolve(__dirname, 'client-typing.bare.ts');
/** `// @ts-expect-error TS2353 titel`: the code, and words the message must contain. */
const DIRECTIVE = /^\/\/ @ts-expect-error (TS\d+)(?: (.+))?$/;

interface Finding {
  readonly file: string;
  readonly line: number;
  readonly code: string;
  readonly message: string;
}

/** Type-checks both files in one program, with the project's compiler options. */
function compile(files: Record<string, string>): Finding[] {
  const config = ts.getParsedCommandLineOfConfigFile(
    resolve(ROOT, 'tsconfig.json'),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
  );
  if (!config) throw new Error('tsconfig.json did not parse');
  const host = ts.createCompilerHost(config.options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (file) => files[resolve(file)] ?? readFile(file);
  host.fileExists = (file) => resolve(file) in files || fileExists(file);
  const program = ts.createProgram(Object.keys(files), { ...config.options, noEmit: true }, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((diagnostic) => diagnostic.file && resolve(diagnostic.file.fileName) in files)
    .map((diagnostic) => ({
      file: resolve(diagnostic.file!.fileName),
      line: diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line,
      code: `TS${diagnostic.code}`,
      message: ts.flattenDiagnosticMessageText(diagnostic.messageText, ' '),
    }));
}

describe('@taskflow/client types (compile time)', () => {
  const source = ts.sys.readFile(CASES) ?? '';
  const lines = source.split('\n');
  const expected = lines.flatMap((line, index) => {
    const match = DIRECTIVE.exec(line.trim());
    // The error belongs to the line after the directive (0-based: index + 1).
    return match ? [{ line: index + 1, code: match[1], words: match[2] ?? '' }] : [];
  });
  const bare = lines.map((line) => (DIRECTIVE.test(line.trim()) ? '' : line)).join('\n');
  let findings: Finding[];

  beforeAll(() => {
    findings = compile({ [CASES]: source, [BARE]: bare });
  }, 60_000);

  it('compiles the cases as written: every expected error is there', () => {
    expect(expected.length).toBeGreaterThanOrEqual(7);
    expect(findings.filter((finding) => finding.file === CASES)).toEqual([]);
  });

  it('refuses a wrong field name, a missing required field, a bad enum, path or parameter', () => {
    const found = findings.filter((finding) => finding.file === BARE);
    expect(found.map(({ line, code }) => ({ line, code }))).toEqual(
      expected.map(({ line, code }) => ({ line, code })),
    );
    for (const [index, { words }] of expected.entries())
      expect(found[index]?.message).toContain(words);
  });
});
