import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let version: string | undefined;

/**
 * The version in the project's package.json, found by walking up from this file, so it is the
 * same from the sources (tests), from dist/ and in the container image.
 */
export function applicationVersion(): string {
  if (version !== undefined) return version;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'taskflow' && pkg.version) return (version = pkg.version);
    }
    if (dirname(dir) === dir) return (version = 'unknown');
  }
}
